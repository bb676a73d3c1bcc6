import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders for migrations that run on both SQLite and PostgreSQL, producing exactly the
 * types TypeORM derives from the entities (so the schema diff after migrating is empty).
 */
export function columns(queryRunner: QueryRunner) {
  const timestampType = queryRunner.connection.driver.normalizeType({ type: Date });
  const postgres = queryRunner.connection.driver.options.type === 'postgres';
  return {
    id: (name = 'id', length = 36): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isPrimary: true,
    }),
    serial: (name = 'id'): TableColumnOptions => ({
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
    varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    }),
    text: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
    json: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
    integer: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable }),
    boolean: (name: string, defaultValue: boolean): TableColumnOptions => ({
      name,
      type: 'boolean',
      default: postgres ? defaultValue : Number(defaultValue),
    }),
    timestamp: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: timestampType,
      isNullable: nullable,
    }),
  };
}
