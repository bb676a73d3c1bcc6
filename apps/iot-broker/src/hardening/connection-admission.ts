import type { Logger } from '@tollgate/platform';
import type { Peer } from '../transport/guarded-connection.js';
import { KeyedTokenBuckets } from './token-bucket.js';

const LOG_EVERY_MS = 10_000;

/**
 * Decides, per remote address, whether a new connection is accepted at all (before TLS, HTTP or
 * MQTT parsing cost anything). Refusals are logged at most once per interval, with a count, so a
 * flood cannot turn into a flood of log lines.
 */
export class ConnectionAdmission {
  private readonly buckets: KeyedTokenBuckets;
  private refusedSinceLog = 0;
  private lastLogAt = -Infinity;

  constructor(
    options: { ratePerSecond: number; burst: number; now?: () => number },
    private readonly logger: Logger,
    private readonly now: () => number = options.now ?? Date.now,
  ) {
    this.buckets = new KeyedTokenBuckets({
      capacity: options.burst,
      refillPerSecond: options.ratePerSecond,
      now: this.now,
    });
  }

  admit(peer: Peer): boolean {
    if (this.buckets.tryTake(peer.remoteAddress)) return true;
    this.refusedSinceLog++;
    if (this.now() - this.lastLogAt >= LOG_EVERY_MS) {
      this.logger.warn(
        { ...peer, refused: this.refusedSinceLog },
        'connection refused: connection rate limit (count since the last such line)',
      );
      this.refusedSinceLog = 0;
      this.lastLogAt = this.now();
    }
    return false;
  }
}
