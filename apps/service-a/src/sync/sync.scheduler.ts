import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SERVICE_A_CONFIG, type ServiceAConfig } from '../config/service-a.config.js';
import { SyncFailedError } from './sync-failure.js';
import { SyncService } from './sync.service.js';

/**
 * Syncs at start and then every SYNC_INTERVAL_SECONDS. The next run is scheduled only when the
 * previous one has finished, so runs never overlap; a failed run is logged and retried next time.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(SERVICE_A_CONFIG) private readonly config: ServiceAConfig,
    private readonly sync: SyncService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.syncIntervalSeconds > 0) this.schedule(0);
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const interval = this.config.syncIntervalSeconds;
    try {
      const run = await this.sync.run('schedule');
      this.logger.log(
        `Scheduled sync done: ${run.total} contacts, ${run.added} added, ${run.updated} updated, ${run.removed} removed`,
      );
    } catch (error) {
      // SyncService has logged why; an unexpected error is logged here so the schedule survives it.
      if (!(error instanceof SyncFailedError)) this.logger.error(`Scheduled sync failed: ${String(error)}`);
      else this.logger.log(`Next scheduled sync in ${interval} s`);
    }
    this.schedule(interval * 1000);
  }
}
