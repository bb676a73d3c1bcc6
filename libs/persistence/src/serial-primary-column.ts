import { Column, type DataSource, Generated, type ValueTransformer } from 'typeorm';

/** Entity classes → names of their SerialPrimaryColumn properties. */
const serialColumns = new WeakMap<object, Set<string>>();

/** PostgreSQL returns `bigint` as a string; ids stay numbers in the code (exact up to 2^53). */
const bigintAsNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (typeof value === 'string' ? Number(value) : value),
};

/**
 * An auto-incrementing id for a table that only grows (the audit log, the revocation feed): 64-bit
 * on both databases. SQLite's INTEGER PRIMARY KEY is already 64-bit, but PostgreSQL's `integer`
 * stops at 2^31 − 1 rows ever written, which a busy token endpoint that audits every issuance
 * reaches in weeks. TypeORM takes one column type for every driver and SQLite refuses AUTOINCREMENT
 * on anything but INTEGER, so the column is declared `integer` here and `openDatabase` widens it to
 * `bigint` on PostgreSQL (widenSerialColumns), where a migration has made the table match.
 */
export function SerialPrimaryColumn(): PropertyDecorator {
  return (target, property) => {
    const names = serialColumns.get(target.constructor) ?? new Set<string>();
    names.add(String(property));
    serialColumns.set(target.constructor, names);
    // What @PrimaryGeneratedColumn('increment') declares, with the transformer it does not take.
    Column({ type: Number, primary: true, transformer: bigintAsNumber })(target, property);
    Generated('increment')(target, property);
  };
}

/** On PostgreSQL, makes every SerialPrimaryColumn `bigint` in the data source's entity metadata. */
export function widenSerialColumns(dataSource: DataSource): void {
  if (dataSource.options.type !== 'postgres') return;
  for (const entity of dataSource.entityMetadatas) {
    for (const column of entity.primaryColumns) {
      if (typeof column.target === 'function' && serialColumns.get(column.target)?.has(column.propertyName))
        column.type = 'bigint';
    }
  }
}
