import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  And,
  type FindOptionsWhere,
  In,
  LessThan,
  LessThanOrEqual,
  Like,
  MoreThan,
  MoreThanOrEqual,
  type Repository,
} from 'typeorm';
import { AuditEventEntity } from './audit-event.entity.js';

export type AuditRow = Omit<AuditEventEntity, 'id'>;

export interface AuditFilter {
  /** Exact action, or a prefix ending in `.*`. */
  action?: string;
  outcome?: AuditEventEntity['outcome'];
  actorId?: string;
  credentialId?: string;
  /** Only events with a smaller id (the cursor of the previous page). */
  before?: number;
  since?: Date;
  until?: Date;
}

@Injectable()
export class AuditRepository {
  /** INSERT statements by number of rows (SQL text only; the driver caches the prepared statements). */
  private readonly insertStatements = new Map<number, string>();

  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  /**
   * One multi-row INSERT per batch. Repository.insert() builds the SQL anew each time and reads the
   * generated ids back, about three times the CPU of a fixed statement (measured on SQLite: 270 vs
   * 65 µs for one row, 570 vs 190 µs for ten); on the token endpoint that was half the work per token.
   */
  async insertMany(rows: AuditRow[]): Promise<void> {
    const { metadata, manager } = this.events;
    const columns = metadata.columns.filter((column) => !column.isGenerated);
    const values = rows.flatMap((row) =>
      columns.map((column) => manager.connection.driver.preparePersistentValue(column.getEntityValue(row), column)),
    );
    const sql = this.insertStatement(rows.length);
    try {
      await manager.query(sql, values);
    } catch (error) {
      // PostgreSQL: an event routed to the default partition while its month's partition was being
      // attached (AuditPartitionsRepository) fails that partition's check; routed again, it lands in
      // the new month. Nothing was written, so the retry cannot store an event twice.
      if (!isPartitionRace(error)) throw error;
      await manager.query(sql, values);
    }
  }

  /** Newest first, at most `limit` events. */
  newest(filter: AuditFilter, limit: number): Promise<AuditEventEntity[]> {
    const where = this.whereOf(filter);
    if (filter.before) where.id = LessThan(filter.before);
    return this.events.find({ where, order: { id: 'DESC' }, take: limit });
  }

  count(filter: AuditFilter): Promise<number> {
    return this.events.count({ where: this.whereOf(filter) });
  }

  /** Oldest first: at most `limit` events with an id in (`afterId`, `upToId`] (an export's next batch). */
  oldest(filter: AuditFilter, afterId: number, upToId: number, limit: number): Promise<AuditEventEntity[]> {
    const where = this.whereOf(filter);
    where.id = And(MoreThan(afterId), LessThanOrEqual(upToId));
    return this.events.find({ where, order: { id: 'ASC' }, take: limit });
  }

  /** The id of the newest event (0 when there is none): where an export started now stops. */
  async newestId(): Promise<number> {
    const [newest] = await this.events.find({ select: { id: true }, order: { id: 'DESC' }, take: 1 });
    return newest ? Number(newest.id) : 0;
  }

  /**
   * Deletes at most `limit` events that occurred before `before`, oldest first, in one short
   * statement (an id list, so no long lock on the table); returns how many went.
   */
  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    const old = await this.events.find({
      select: { id: true },
      where: { occurredAt: LessThan(before) },
      order: { id: 'ASC' },
      take: limit,
    });
    if (old.length === 0) return 0;
    await this.events.delete({ id: In(old.map(({ id }) => id)) });
    return old.length;
  }

  private whereOf(filter: AuditFilter): FindOptionsWhere<AuditEventEntity> {
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (filter.action)
      where.action = filter.action.endsWith('.*') ? Like(`${filter.action.slice(0, -1)}%`) : filter.action;
    if (filter.outcome) where.outcome = filter.outcome;
    if (filter.actorId) where.actorId = filter.actorId;
    if (filter.credentialId) where.credentialId = filter.credentialId;
    const since = filter.since ? MoreThanOrEqual(filter.since) : undefined;
    const until = filter.until ? LessThan(filter.until) : undefined;
    if (since && until) where.occurredAt = And(since, until);
    else if (since ?? until) where.occurredAt = since ?? until;
    return where;
  }

  private insertStatement(rowCount: number): string {
    let sql = this.insertStatements.get(rowCount);
    if (!sql) {
      const { metadata, manager } = this.events;
      const driver = manager.connection.driver;
      const columns = metadata.columns.filter((column) => !column.isGenerated);
      let index = 0;
      const tuples = Array.from(
        { length: rowCount },
        () => `(${columns.map((column) => driver.createParameter(column.propertyName, index++)).join(', ')})`,
      );
      sql = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}`;
      this.insertStatements.set(rowCount, sql);
    }
    return sql;
  }
}

/** The check PostgreSQL makes on a row routed to a partition whose bounds changed meanwhile (SQLSTATE 23514). */
function isPartitionRace(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '23514' && typeof message === 'string' && message.includes('violates partition constraint');
}
