import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** API consumers, their keys and per-day usage counters. */
export class ApiKeys1764300000000 implements MigrationInterface {
  name = 'ApiKeys1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'api_consumers',
        columns: [
          c.id(),
          c.varchar('name', 100),
          c.varchar('contact', 254),
          c.varchar('description', 1000, true),
          c.boolean('disabled', false),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          c.id(),
          c.varchar('consumerId', 36),
          c.varchar('name', 100),
          c.varchar('environment', 8),
          c.varchar('keyHash', 64),
          c.varchar('displayPrefix', 24),
          c.json('grants'),
          c.json('ipAllowlist', true),
          c.json('rateLimit', true),
          c.timestamp('expiresAt', true),
          c.timestamp('createdAt'),
          c.varchar('createdBy', 128, true),
          c.timestamp('revokedAt', true),
          c.varchar('revokedReason', 64, true),
          c.varchar('rolledFromId', 36, true),
          c.varchar('rolledToId', 36, true),
          c.timestamp('lastUsedAt', true),
          c.varchar('lastUsedAddress', 64, true),
        ],
        indices: [
          new TableIndex({ name: 'idx_api_keys_consumer', columnNames: ['consumerId'] }),
          new TableIndex({ name: 'uq_api_keys_hash', columnNames: ['keyHash'], isUnique: true }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_api_keys_consumer',
            columnNames: ['consumerId'],
            referencedTableName: 'api_consumers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_key_usage',
        columns: [
          { ...c.varchar('keyId', 36), isPrimary: true },
          { ...c.varchar('day', 10), isPrimary: true },
          { ...c.varchar('statusClass', 3), isPrimary: true },
          c.integer('count'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_key_usage');
    await queryRunner.dropTable('api_keys');
    await queryRunner.dropTable('api_consumers');
  }
}
