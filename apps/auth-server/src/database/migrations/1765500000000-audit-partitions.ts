import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = 'audit_events';
const INDEXES: Record<string, string> = {
  idx_audit_events_occurred_at: 'occurredAt',
  idx_audit_events_action: 'action',
  idx_audit_events_actor: 'actorId',
  idx_audit_events_credential: 'credentialId',
};
/** Months made at once beyond the current one; the auth-server keeps making them (AuditPartitionsRepository). */
const MONTHS_AHEAD = 2;
/** Older events than this go to the default partition rather than a partition per month each. */
const MONTHS_BACK_AT_MOST = 120;

/**
 * On PostgreSQL the audit log becomes a table partitioned by month of `occurredAt` (issue 16), so an
 * insert only ever touches the indexes of the current month, however long the log, and retention
 * drops a whole month's partition instead of deleting its rows one by one. The primary key becomes
 * (id, occurredAt), as PostgreSQL requires of a partitioned table; ids still come from the same
 * sequence. Existing events are copied into a partition per month (plus a default partition for
 * whatever no month partition holds), under an exclusive lock: on a large log, run it in a
 * maintenance window. SQLite has no partitions and is left as it is.
 */
export class AuditPartitions1765500000000 implements MigrationInterface {
  name = 'AuditPartitions1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    const previous = await moveAside(queryRunner, 'unpartitioned');
    await queryRunner.query(
      `CREATE TABLE "${TABLE}" (LIKE "${previous}" INCLUDING DEFAULTS) PARTITION BY RANGE ("occurredAt")`,
    );
    const primaryKey = queryRunner.connection.namingStrategy.primaryKeyName(TABLE, ['id', 'occurredAt']);
    await queryRunner.query(`ALTER TABLE "${TABLE}" ADD CONSTRAINT "${primaryKey}" PRIMARY KEY ("id", "occurredAt")`);
    await createIndexes(queryRunner);
    await queryRunner.query(`CREATE TABLE "${TABLE}_default" PARTITION OF "${TABLE}" DEFAULT`);
    const [{ oldest }] = await queryRunner.query(`SELECT min("occurredAt") AS oldest FROM "${previous}"`);
    const now = new Date();
    const first = monthOf(
      new Date(
        Math.max((oldest as Date | null)?.getTime() ?? now.getTime(), addMonths(now, -MONTHS_BACK_AT_MOST).getTime()),
      ),
    );
    for (let month = first; month <= addMonths(monthOf(now), MONTHS_AHEAD); month = addMonths(month, 1)) {
      await queryRunner.query(
        `CREATE TABLE "${TABLE}_${monthName(month)}" PARTITION OF "${TABLE}" FOR VALUES FROM ('${sqlTimestamp(month)}') TO ('${sqlTimestamp(addMonths(month, 1))}')`,
      );
    }
    await moveRowsAndDrop(queryRunner, previous);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    const previous = await moveAside(queryRunner, 'partitioned');
    await queryRunner.query(`CREATE TABLE "${TABLE}" (LIKE "${previous}" INCLUDING DEFAULTS)`);
    const primaryKey = queryRunner.connection.namingStrategy.primaryKeyName(TABLE, ['id']);
    await queryRunner.query(`ALTER TABLE "${TABLE}" ADD CONSTRAINT "${primaryKey}" PRIMARY KEY ("id")`);
    await createIndexes(queryRunner);
    await moveRowsAndDrop(queryRunner, previous);
  }
}

/** Renames the table, its primary key and its indexes out of the way; returns the table's new name. */
async function moveAside(queryRunner: QueryRunner, suffix: string): Promise<string> {
  const aside = `${TABLE}_${suffix}`;
  const [{ conname }] = await queryRunner.query(
    `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`,
    [TABLE],
  );
  await queryRunner.query(`ALTER TABLE "${TABLE}" RENAME TO "${aside}"`);
  await queryRunner.query(`ALTER TABLE "${aside}" RENAME CONSTRAINT "${conname}" TO "${aside}_pkey"`);
  for (const index of Object.keys(INDEXES))
    await queryRunner.query(`ALTER INDEX "${index}" RENAME TO "${index}_${suffix}"`);
  return aside;
}

async function createIndexes(queryRunner: QueryRunner): Promise<void> {
  for (const [index, column] of Object.entries(INDEXES))
    await queryRunner.query(`CREATE INDEX "${index}" ON "${TABLE}" ("${column}")`);
}

/** Copies every event into the new table, which takes over the id sequence, and drops the old one. */
async function moveRowsAndDrop(queryRunner: QueryRunner, previous: string): Promise<void> {
  await queryRunner.query(`INSERT INTO "${TABLE}" SELECT * FROM "${previous}"`);
  const [{ sequence }] = await queryRunner.query(`SELECT pg_get_serial_sequence($1, 'id') AS sequence`, [previous]);
  await queryRunner.query(`ALTER SEQUENCE ${sequence} OWNED BY "${TABLE}"."id"`);
  await queryRunner.query(`DROP TABLE "${previous}"`);
}

function monthOf(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

function addMonths(month: Date, months: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + months, 1));
}

/** `y2026m12`: the partition of December 2026 is `audit_events_y2026m12`. */
function monthName(month: Date): string {
  return `y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

function sqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
