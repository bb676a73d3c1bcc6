import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import type { Repository } from 'typeorm';
import { AuditEventEntity, type AuditOutcome } from './audit-event.entity.js';

export interface AuditActor {
  type: 'client' | 'user' | 'system' | 'anonymous';
  id?: string | null;
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
  row: Omit<AuditEventEntity, 'id'>;
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
export class AuditService implements OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private queue: Pending[] = [];
  private flushing?: Promise<void>;

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
        await this.events.insert(batch.map((pending) => pending.row));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.flushing = undefined;
  }

  private toRow(event: AuditEventInput): Omit<AuditEventEntity, 'id'> {
    return {
      occurredAt: this.clock.now(),
      action: event.action,
      outcome: event.outcome,
      actorType: event.actor.type,
      actorId: event.actor.id ?? null,
      credentialType: event.credential?.type ?? null,
      credentialId: event.credential?.id ?? null,
      // Behind TRUST_PROXY the address comes from X-Forwarded-For, which the caller may have written.
      address: event.address?.slice(0, 64) ?? null,
      reason: event.reason?.slice(0, 255) ?? null,
      details: event.details ?? null,
    };
  }
}
