import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS, type RevocationEvent, type SequencedRevocationEvent } from '@tollgate/verifier';
import { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { RevocationEventEntity } from './revocation-event.entity.js';

/** A verifier starting fresh replays this much history: an hour longer than any access token lives. */
export const REPLAY_WINDOW_MS = (MAX_ACCESS_TOKEN_LIFETIME_SECONDS + 3600) * 1000;
const RETENTION_MS = 48 * 60 * 60 * 1000;
const PAGE = 1_000;
const WAKE_CHANNEL = 'tollgate:revocations';

/**
 * The revocation feed at its source. Every revocation is stored first (the durable log a verifier
 * resumes from after a reconnect or a restart, so nothing is missed), then subscribers are woken:
 * in this process directly and, with REDIS_URL, on every other auth-server through Redis pub/sub.
 */
@Injectable()
export class RevocationFeedService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RevocationFeedService.name);
  private readonly wakeups = new EventEmitter().setMaxListeners(0);
  private publisher?: Redis;
  private subscriber?: Redis;
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(RevocationEventEntity) private readonly events: Repository<RevocationEventEntity>,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.pruneTimer = setInterval(() => void this.prune().catch((error) => this.logger.warn(`Pruning the revocation feed failed: ${error}`)), 3_600_000);
    this.pruneTimer.unref();
    if (this.config.redisUrl) {
      this.publisher = new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1 });
      this.subscriber = new Redis(this.config.redisUrl);
      for (const connection of [this.publisher, this.subscriber]) connection.on('error', (error) => this.logger.warn(`Redis (revocation feed): ${error.message}`));
      this.subscriber.on('message', () => this.wakeups.emit('wake'));
      await this.subscriber.subscribe(WAKE_CHANNEL);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.pruneTimer);
    await Promise.all([this.publisher?.quit(), this.subscriber?.quit()].map((p) => p?.catch(() => undefined)));
  }

  async publish(event: RevocationEvent): Promise<void> {
    const { type, ...payload } = event;
    await this.events.insert({ type, payload, occurredAt: this.clock.now() });
    this.wakeups.emit('wake');
    // Other instances also poll, so a lost wake-up delays delivery by at most a second.
    await this.publisher?.publish(WAKE_CHANNEL, '1').catch((error: Error) => this.logger.warn(`Could not announce a revocation on Redis: ${error.message}`));
  }

  /** Stored events after `seq`, oldest first. */
  async after(seq: number): Promise<SequencedRevocationEvent[]> {
    const rows = await this.events.find({ where: { id: MoreThan(seq) }, order: { id: 'ASC' }, take: PAGE });
    return rows.map((row) => ({ type: row.type, ...row.payload, seq: String(row.id), at: row.occurredAt.getTime() }) as SequencedRevocationEvent);
  }

  /** Where a verifier without a position starts: just before the replay window. */
  async replayStart(): Promise<number> {
    const before = await this.events.findOne({ where: { occurredAt: LessThan(new Date(this.clock.now().getTime() - REPLAY_WINDOW_MS)) }, order: { id: 'DESC' }, select: { id: true } });
    return before?.id ?? 0;
  }

  /** Calls `listener` whenever events may have been added (here or on another instance); returns the unsubscribe function. */
  onWake(listener: () => void): () => void {
    this.wakeups.on('wake', listener);
    return () => this.wakeups.off('wake', listener);
  }

  private async prune(): Promise<void> {
    await this.events.delete({ occurredAt: LessThan(new Date(this.clock.now().getTime() - RETENTION_MS)) });
  }
}
