import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { type AuditEventInput, AuditLog } from '../common/audit-log.js';
import { type AuditFilter, AuditRepository, type AuditRow } from './audit.repository.js';
import { AuditEventDto } from './dto/audit-event.response.js';
import type { AuditPageDto } from './dto/audit-page.response.js';
import type { AuditQueryDto } from './dto/list-audit-events.query.js';
import type { AuditExportQueryDto } from './dto/export-audit-events.query.js';
import { auditExport } from './audit-export.js';
import type { Readable } from 'node:stream';

export type { AuditActor, AuditEventInput } from '../common/audit-log.js';

interface Pending {
  row: AuditRow;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * The append-only audit log. Writes are group-committed: events recorded in the same turn of the
 * event loop go to the database in one INSERT, and each caller's promise settles when its event is
 * stored, so the audit stays durable without a round trip per event on hot paths (token issuance).
 */
@Injectable()
export class AuditService implements AuditLog, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  private readonly storedListeners: ((rows: readonly AuditRow[]) => void)[] = [];

  constructor(
    private readonly events: AuditRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  record(event: AuditEventInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row: this.toRow(event), resolve, reject });
      this.flushing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.flush());
    });
  }

  /**
   * Called with every batch of events once it is stored (e.g. to send them as webhooks). A listener
   * must not block or throw: the callers of `record` are already answered.
   */
  onStored(listener: (rows: readonly AuditRow[]) => void): void {
    this.storedListeners.push(listener);
  }

  /** Fire and forget, for events that must not delay the caller (failures are logged). */
  recordInBackground(event: AuditEventInput): void {
    this.record(event).catch((error) => this.logger.error(`Could not store audit event ${event.action}: ${error}`));
  }

  /** Newest first; `nextCursor` continues with older events. */
  async page(query: AuditQueryDto): Promise<AuditPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.events.newest({ ...filterOf(query), before: query.before }, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(AuditEventDto.from), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** How many events were refused or failed since `since`, and the newest `limit` of them. */
  async refusalsSince(since: Date, limit: number): Promise<{ count: number; newest: AuditEventDto[] }> {
    const outcomes = ['failure', 'denied'] as const;
    const [counts, newest] = await Promise.all([
      Promise.all(outcomes.map((outcome) => this.events.count({ outcome, since }))),
      Promise.all(outcomes.map((outcome) => this.events.newest({ outcome, since }, limit))),
    ]);
    return {
      count: counts[0] + counts[1],
      newest: newest
        .flat()
        .sort((a, b) => Number(b.id) - Number(a.id))
        .slice(0, limit)
        .map(AuditEventDto.from),
    };
  }

  /** Every event the filters select, oldest first, streamed (see `auditExport`). */
  export(query: AuditExportQueryDto): Promise<Readable> {
    return auditExport(this.events, filterOf(query), query.format ?? 'jsonl');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const rows = batch.map((pending) => pending.row);
        await this.events.insertMany(rows);
        for (const pending of batch) pending.resolve();
        for (const listener of this.storedListeners) listener(rows);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.flushing = undefined;
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

function filterOf(query: AuditExportQueryDto): AuditFilter {
  return {
    action: query.action,
    outcome: query.outcome,
    actorId: query.actor,
    credentialId: query.credential,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
  };
}
