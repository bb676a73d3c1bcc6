import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

const TABLE = 'audit_events';
const DEFAULT_PARTITION = `${TABLE}_default`;
/** `audit_events_y2026m12` holds December 2026 (the names AuditPartitions1765500000000 gives). */
const MONTH_PARTITION = /^audit_events_y(\d{4})m(\d{2})$/;
/** Months kept ready beyond the current one, so a month never starts without its partition. */
const AUDIT_MONTHS_AHEAD = 2;
/** Dropping a partition locks the whole table: a drop that must wait longer gives up and is retried later. */
const DROP_LOCK_TIMEOUT = '1s';

/** One month partition that retention dropped, with the events it held. */
export interface DroppedPartition {
  name: string;
  events: number;
}

/**
 * The month partitions of the audit log on PostgreSQL (AuditPartitions1765500000000): makes each
 * month's before its first event, and drops whole months past retention, so neither an insert nor
 * a purge ever works on more than a month of events. Nothing to do on SQLite (no partitions).
 *
 * An event with no month partition (written while the auth-server was down for months, or by a
 * clock far off) lands in the default partition; making its month later moves it there. Several
 * auth-servers may run this at once: a transaction-scoped advisory lock takes them in turn, and
 * each checks again under it that its partition is (still) to be made or dropped.
 */
@Injectable()
export class AuditPartitionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get enabled(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Makes sure the month of `now` and the AUDIT_MONTHS_AHEAD after it have a partition each; returns those it made. */
  async prepare(now: Date): Promise<string[]> {
    if (!this.enabled) return [];
    const existing = new Set((await this.monthPartitions()).map(({ name }) => name));
    const made: string[] = [];
    for (let offset = 0; offset <= AUDIT_MONTHS_AHEAD; offset++) {
      const month = addMonths(monthOf(now), offset);
      if (existing.has(partitionName(month))) continue;
      if (await this.createMonth(month)) made.push(partitionName(month));
    }
    return made;
  }

  /** Drops each month partition whose whole month lies before `before`; returns them with their event counts. */
  async dropMonthsBefore(before: Date): Promise<DroppedPartition[]> {
    if (!this.enabled) return [];
    const dropped: DroppedPartition[] = [];
    for (const { name, month } of await this.monthPartitions()) {
      if (addMonths(month, 1) > before) continue;
      const events = await this.dataSource.transaction(async (tx) => {
        await this.takeTurn(tx);
        const [{ present }] = await tx.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
        if (!present) return undefined;
        const [{ count }] = await tx.query(`SELECT count(*)::bigint AS count FROM "${name}"`);
        await tx.query(`SET LOCAL lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
        await tx.query(`ALTER TABLE "${TABLE}" DETACH PARTITION "${name}"`);
        await tx.query(`DROP TABLE "${name}"`);
        return Number(count);
      });
      if (events !== undefined) dropped.push({ name, events });
    }
    return dropped;
  }

  /** Month partitions by their names, oldest first. */
  async monthPartitions(): Promise<Array<{ name: string; month: Date }>> {
    const rows: Array<{ name: string }> = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
      [TABLE],
    );
    return rows
      .flatMap(({ name }) => {
        const match = MONTH_PARTITION.exec(name);
        return match ? [{ name, month: new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)) }] : [];
      })
      .sort((a, b) => a.month.getTime() - b.month.getTime());
  }

  /**
   * Creates the month's partition, moving into it any events of that month the default partition
   * holds. The default partition is locked first, so no event of the month can land there between
   * the move and the attach (writers to other months go on). False when another instance made it first.
   */
  private createMonth(month: Date): Promise<boolean> {
    const name = partitionName(month);
    const from = sqlTimestamp(month);
    const to = sqlTimestamp(addMonths(month, 1));
    return this.dataSource.transaction(async (tx) => {
      await this.takeTurn(tx);
      const [{ present }] = await tx.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
      if (present) return false;
      await tx.query(`LOCK TABLE "${DEFAULT_PARTITION}" IN ACCESS EXCLUSIVE MODE`);
      await tx.query(`CREATE TABLE "${name}" (LIKE "${TABLE}" INCLUDING DEFAULTS)`);
      await tx.query(
        `WITH moved AS (DELETE FROM "${DEFAULT_PARTITION}" WHERE "occurredAt" >= $1 AND "occurredAt" < $2 RETURNING *) INSERT INTO "${name}" SELECT * FROM moved`,
        [from, to],
      );
      await tx.query(`ALTER TABLE "${TABLE}" ATTACH PARTITION "${name}" FOR VALUES FROM ('${from}') TO ('${to}')`);
      return true;
    });
  }

  /** Auth-servers change partitions one at a time (a lock held until the transaction ends). */
  private async takeTurn(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tollgate:${TABLE}:partitions`]);
  }
}

function monthOf(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

function addMonths(month: Date, months: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + months, 1));
}

function partitionName(month: Date): string {
  return `${TABLE}_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A timestamp literal as the `timestamp` column stores it (UTC, no zone); only ever one this module made. */
function sqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
