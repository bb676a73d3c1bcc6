import type { DataSource } from 'typeorm';

/** Entity classes → the property their PostgreSQL table is range-partitioned by. */
const partitionKeys = new WeakMap<object, string>();

/**
 * Marks an entity whose table a migration has partitioned by ranges of `property` on PostgreSQL
 * (SQLite has no partitions). PostgreSQL requires the partition key in every unique constraint, so
 * there the table's primary key is (id, `property`): `openDatabase` adds the property to the
 * entity's primary key in the data source's metadata (includePartitionKeys), so the schema the
 * entities describe is the schema the migration made. Rows are still found by id alone.
 */
export function PartitionedByRange(property: string): ClassDecorator {
  return (target) => {
    partitionKeys.set(target, property);
  };
}

/** On PostgreSQL, adds each PartitionedByRange entity's partition key to its primary key in the metadata. */
export function includePartitionKeys(dataSource: DataSource): void {
  if (dataSource.options.type !== 'postgres') return;
  for (const entity of dataSource.entityMetadatas) {
    const property = typeof entity.target === 'function' ? partitionKeys.get(entity.target) : undefined;
    const column = property ? entity.findColumnWithPropertyName(property) : undefined;
    if (!column || column.isPrimary) continue;
    column.isPrimary = true;
    entity.primaryColumns = entity.columns.filter(({ isPrimary }) => isPrimary);
    entity.hasMultiplePrimaryKeys = entity.primaryColumns.length > 1;
  }
}
