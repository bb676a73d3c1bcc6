import { Column } from 'typeorm';

/**
 * A point in time: `datetime` on SQLite, `timestamp` on PostgreSQL, always UTC (see openDatabase).
 * Explicit because TypeScript emits `Object` as the design type of `Date | null`.
 */
export function TimestampColumn(options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ type: Date, nullable: options.nullable ?? false });
}
