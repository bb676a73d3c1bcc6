import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { AudienceRepository } from '../audience/audience.repository.js';
import { CrmClient } from '../crm/crm.client.js';
import { describeSyncFailure, SyncCancelledError, SyncFailedError } from './sync-failure.js';
import type { SyncRunEntity, SyncTrigger } from '../audience/sync-run.entity.js';
import { SyncRunRepository } from '../audience/sync-run.repository.js';

/**
 * Syncs the audience from the CRM: reads every contact, then adds, updates and removes members in
 * one transaction, so a failed sync leaves the audience exactly as it was. One sync at a time:
 * whoever asks while one runs gets that run's outcome.
 */
@Injectable()
export class SyncService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncService.name);
  private current?: Promise<SyncRunEntity>;
  private readonly shutdown = new AbortController();

  constructor(
    private readonly crm: CrmClient,
    private readonly audience: AudienceRepository,
    private readonly runs: SyncRunRepository,
    private readonly dataSource: DataSource,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Runs a sync, or joins the one in progress. Rejects with SyncFailedError after recording the failed run. */
  run(trigger: SyncTrigger): Promise<SyncRunEntity> {
    if (this.shutdown.signal.aborted)
      return Promise.reject(new SyncFailedError(describeSyncFailure(this.shutdown.signal.reason), undefined));
    this.current ??= this.traced(trigger).finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /** Cancels a running sync and waits for it to record itself, before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort(new SyncCancelledError('service-a is shutting down'));
    await this.current?.catch(() => undefined);
  }

  /**
   * One span per sync (issue 16): a scheduled sync is a trace of its own, token request and calls to
   * service-b included; one asked for over HTTP joins its request's trace. A no-op while tracing is off.
   */
  private traced(trigger: SyncTrigger): Promise<SyncRunEntity> {
    const attributes = { 'tollgate.sync.trigger': trigger };
    return trace.getTracer('service-a').startActiveSpan('audience sync', { attributes }, async (span) => {
      try {
        return await this.execute(trigger);
      } catch (error) {
        if (error instanceof SyncFailedError) span.setAttribute('tollgate.sync.error', error.failure.code);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async execute(trigger: SyncTrigger): Promise<SyncRunEntity> {
    const startedAt = new Date();
    try {
      const contacts = await this.crm.listAllContacts(this.shutdown.signal);
      return await this.dataSource.transaction(async (manager) => {
        const finishedAt = new Date();
        const counts = await this.audience.reconcile(manager, contacts, finishedAt);
        return this.runs.record(
          {
            trigger,
            status: 'ok',
            startedAt,
            finishedAt,
            total: contacts.length,
            ...counts,
            errorCode: null,
            error: null,
          },
          manager,
        );
      });
    } catch (error) {
      const failure = describeSyncFailure(error);
      if (failure.status === 500)
        this.logger.error(
          `Sync (${trigger}) failed: ${String(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      else if (failure.code !== 'sync_cancelled') this.logger.warn(`Sync (${trigger}) failed: ${failure.detail}`);
      const run = await this.runs
        .record({
          trigger,
          status: 'failed',
          startedAt,
          finishedAt: new Date(),
          total: 0,
          added: 0,
          updated: 0,
          removed: 0,
          errorCode: failure.code,
          error: failure.detail.slice(0, 1000),
        })
        .catch((recordError: unknown) => {
          this.logger.error(`Could not record the failed sync: ${String(recordError)}`);
          return undefined;
        });
      throw new SyncFailedError(failure, run, { cause: error });
    }
  }
}
