import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import type { RevocationEvent, SequencedRevocationEvent } from '@tollgate/verifier';
import { EventEmitter } from 'node:events';
import { LessThan, MoreThan, MoreThanOrEqual, type Repository } from 'typeorm';
import { RevocationEventEntity } from './revocation-event.entity.js';

/** A verifier starting fresh replays this much history: longer than any access token lives. */
export const REPLAY_WINDOW_MS = 25 * 60 * 60 * 1000;
const RETENTION_MS = 48 * 60 * 60 * 1000;
const REPLAY_LIMIT = 10_000;

/**
 * The revocation feed at its source: every revocation is stored (so a verifier that reconnects
 * resumes from its last event id and misses nothing) and pushed at once to the open streams.
 */
@Injectable()
export class RevocationFeedService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RevocationFeedService.name);
  private readonly live = new EventEmitter().setMaxListeners(0);
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(RevocationEventEntity) private readonly events: Repository<RevocationEventEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.prune().catch((error) => this.logger.warn(`Pruning the revocation feed failed: ${error}`)), 3_600_000);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  async publish(event: RevocationEvent): Promise<SequencedRevocationEvent> {
    const occurredAt = this.clock.now();
    const { type, ...payload } = event;
    const inserted = await this.events.insert({ type, payload, occurredAt });
    const sequenced = { ...event, seq: String(inserted.identifiers[0].id), at: occurredAt.getTime() } as SequencedRevocationEvent;
    this.live.emit('event', sequenced);
    return sequenced;
  }

  /** Events after `afterId`, or those of the replay window when the verifier has none yet. */
  async replay(afterId: number | undefined): Promise<SequencedRevocationEvent[]> {
    const where = afterId !== undefined ? { id: MoreThan(afterId) } : { occurredAt: MoreThanOrEqual(new Date(this.clock.now().getTime() - REPLAY_WINDOW_MS)) };
    const rows = await this.events.find({ where, order: { id: 'ASC' }, take: REPLAY_LIMIT });
    return rows.map((row) => ({ type: row.type, ...row.payload, seq: String(row.id), at: row.occurredAt.getTime() }) as SequencedRevocationEvent);
  }

  /** Calls `listener` for every event published from now on; returns the unsubscribe function. */
  subscribe(listener: (event: SequencedRevocationEvent) => void): () => void {
    this.live.on('event', listener);
    return () => this.live.off('event', listener);
  }

  private async prune(): Promise<void> {
    await this.events.delete({ occurredAt: LessThan(new Date(this.clock.now().getTime() - RETENTION_MS)) });
  }
}
