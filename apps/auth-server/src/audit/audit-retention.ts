import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { AuditPartitionsRepository } from './audit-partitions.repository.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Events deleted per statement: each one is short, so writers (token issuance) never wait long. */
const BATCH = 5_000;

/**
 * Looks after the audit log's storage every hour, and once at start. On PostgreSQL it first makes
 * the coming months' partitions (AuditPartitionsRepository). Then it keeps the log to
 * AUDIT_RETENTION_DAYS (default 400): on PostgreSQL each month partition wholly past retention is
 * dropped; the events older than that which remain (the month that straddles the limit, the
 * default partition, or any event on SQLite) are deleted in batches of 5,000, each its own short
 * statement, with a turn of the event loop between them. Several auth-servers may run it at once:
 * a batch another instance deleted first is simply not there. The purge itself is audited.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditRetention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private maintaining?: Promise<void>;

  constructor(
    private readonly events: AuditRepository,
    private readonly partitions: AuditPartitionsRepository,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auditRetentionDays === 0 && !this.partitions.enabled) return;
    const run = () => {
      this.maintaining ??= this.maintain()
        .catch((error: unknown) => this.logger.warn(`Audit log maintenance failed; will retry: ${error}`))
        .finally(() => (this.maintaining = undefined));
    };
    this.timer = setInterval(run, HOUR_MS);
    this.timer.unref();
    setImmediate(run);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.maintaining;
    await this.running?.catch(() => undefined);
  }

  /** Makes the coming months' partitions, then deletes what is past retention. */
  async maintain(): Promise<void> {
    const made = await this.partitions.prepare(this.clock.now());
    if (made.length > 0) this.logger.log(`Made audit log partitions ${made.join(', ')}`);
    await this.purge();
  }

  /** Deletes what is past retention now; resolves with how many events went (one run at a time). */
  purge(): Promise<number> {
    this.running ??= this.deleteExpired().finally(() => (this.running = undefined));
    return this.running;
  }

  private async deleteExpired(): Promise<number> {
    const days = this.config.auditRetentionDays;
    if (days === 0) return 0;
    const before = new Date(this.clock.now().getTime() - days * DAY_MS);
    const dropped = await this.partitions.dropMonthsBefore(before);
    let deleted = dropped.reduce((sum, { events }) => sum + events, 0);
    for (;;) {
      const count = await this.events.deleteOlderThan(before, BATCH);
      deleted += count;
      if (count < BATCH) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (deleted > 0 || dropped.length > 0) {
      this.logger.log(`Deleted ${deleted} audit events older than ${days} days`);
      await this.audit.record({
        action: 'audit.retention.purged',
        outcome: 'success',
        actor: { type: 'system' },
        details: {
          deleted,
          before: before.toISOString(),
          retentionDays: days,
          ...(dropped.length > 0 && { partitionsDropped: dropped.map(({ name }) => name) }),
        },
      });
    }
    return deleted;
  }
}
