import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import type { Repository } from 'typeorm';
import { AuditEventEntity, type AuditOutcome } from './audit-event.entity.js';

export interface AuditActor {
  type: 'client' | 'user' | 'system' | 'anonymous';
  id?: string | null;
  /** Where the actor's request came from; the event's own `address`, if given, takes precedence. */
  address?: string | null;
}

export interface AuditEventInput {
  action: string;
  outcome: AuditOutcome;
  actor: AuditActor;
  credential?: { type: string; id: string };
  address?: string | null;
  reason?: string;
  details?: Record<string, unknown>;
}

interface Pending {
  row: AuditRow;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

type AuditRow = Omit<AuditEventEntity, 'id'>;

/**
 * The append-only audit log. Writes are group-committed: events recorded in the same turn of the
 * event loop go to the database in one INSERT, and each caller's promise settles when its event is
 * stored, so the audit stays durable without a round trip per event on hot paths (token issuance).
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  /** INSERT statements by number of rows (SQL text only; the driver caches the prepared statements). */
  private readonly insertStatements = new Map<number, string>();

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  record(event: AuditEventInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row: this.toRow(event), resolve, reject });
      this.flushing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.flush());
    });
  }

  /** Fire and forget, for events that must not delay the caller (failures are logged). */
  recordInBackground(event: AuditEventInput): void {
    this.record(event).catch((error) => this.logger.error(`Could not store audit event ${event.action}: ${error}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.insert(batch.map((pending) => pending.row));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /**
   * One multi-row INSERT per batch. Repository.insert() builds the SQL anew each time and reads the
   * generated ids back, about three times the CPU of a fixed statement (measured on SQLite: 270 vs
   * 65 µs for one row, 570 vs 190 µs for ten); on the token endpoint that was half the work per token.
   */
  private async insert(rows: AuditRow[]): Promise<void> {
    const { metadata, manager } = this.events;
    const columns = metadata.columns.filter((column) => !column.isGenerated);
    const values = rows.flatMap((row) => columns.map((column) => manager.connection.driver.preparePersistentValue(column.getEntityValue(row), column)));
    await manager.query(this.insertStatement(rows.length), values);
  }

  private insertStatement(rowCount: number): string {
    let sql = this.insertStatements.get(rowCount);
    if (!sql) {
      const { metadata, manager } = this.events;
      const driver = manager.connection.driver;
      const columns = metadata.columns.filter((column) => !column.isGenerated);
      let index = 0;
      const tuples = Array.from({ length: rowCount }, () => `(${columns.map((column) => driver.createParameter(column.propertyName, index++)).join(', ')})`);
      sql = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}`;
      this.insertStatements.set(rowCount, sql);
    }
    return sql;
  }

  private toRow(event: AuditEventInput): AuditRow {
    return {
      occurredAt: this.clock.now(),
      action: event.action,
      outcome: event.outcome,
      actorType: event.actor.type,
      actorId: event.actor.id ?? null,
      credentialType: event.credential?.type ?? null,
      credentialId: event.credential?.id ?? null,
      // Behind TRUST_PROXY the address comes from X-Forwarded-For, which the caller may have written.
      address: (event.address ?? event.actor.address)?.slice(0, 64) ?? null,
      reason: event.reason?.slice(0, 255) ?? null,
      details: event.details ?? null,
    };
  }
}
