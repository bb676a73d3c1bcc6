import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock, type RedisConnection, RedisConnections } from '@tollgate/platform';
import {
  MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
  type RevocationEvent,
  type SequencedRevocationEvent,
} from '@tollgate/verifier';
import { EventEmitter } from 'node:events';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { RevocationEventsRepository } from './revocation-events.repository.js';

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
  private redis?: RedisConnections;
  private publisher?: RedisConnection;
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly events: RevocationEventsRepository,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(
      () => void this.prune().catch((error) => this.logger.warn(`Pruning the revocation feed failed: ${error}`)),
      3_600_000,
    );
    this.pruneTimer.unref();
    if (this.config.redisUrl) {
      // Boot does not wait for Redis: wake-ups are an optimisation, the feed also polls every second.
      this.redis = new RedisConnections(this.config.redisUrl, {
        purpose: 'the revocation feed',
        fallback: 'Revocations made here reach the feeds of other instances by their one-second poll',
        logger: { warn: (message) => this.logger.warn(message), info: (message) => this.logger.log(message) },
      });
      this.publisher = this.redis.commands();
      const subscriber = this.redis.subscriber();
      subscriber.on('message', () => this.wakeups.emit('wake'));
      subscriber.subscribe(WAKE_CHANNEL).catch(() => undefined);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.redis?.close();
  }

  async publish(event: RevocationEvent): Promise<void> {
    const { type, ...payload } = event;
    await this.events.insert({ type, payload, occurredAt: this.clock.now() });
    this.wakeups.emit('wake');
    // Not awaited: the revocation is stored, and other instances also poll, so a lost wake-up delays
    // delivery by at most a second. An unreachable Redis is logged once by its connection.
    this.publisher?.publish(WAKE_CHANNEL, '1').catch(() => undefined);
  }

  /** Stored events after `seq`, oldest first. */
  async after(seq: number): Promise<SequencedRevocationEvent[]> {
    const rows = await this.events.after(seq, PAGE);
    return rows.map(
      (row) =>
        ({
          type: row.type,
          ...row.payload,
          seq: String(row.id),
          at: row.occurredAt.getTime(),
        }) as SequencedRevocationEvent,
    );
  }

  /** Where a verifier without a position starts: just before the replay window. */
  async replayStart(): Promise<number> {
    return this.events.lastIdBefore(new Date(this.clock.now().getTime() - REPLAY_WINDOW_MS));
  }

  /** Calls `listener` whenever events may have been added (here or on another instance); returns the unsubscribe function. */
  onWake(listener: () => void): () => void {
    this.wakeups.on('wake', listener);
    return () => this.wakeups.off('wake', listener);
  }

  private async prune(): Promise<void> {
    await this.events.deleteBefore(new Date(this.clock.now().getTime() - RETENTION_MS));
  }
}
