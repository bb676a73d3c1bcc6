import { LRUCache } from 'lru-cache';

export interface TokenBucketOptions {
  /** Largest burst: how many takes a full bucket allows at once. */
  capacity: number;
  /** Tokens added back per second, up to `capacity`. */
  refillPerSecond: number;
  now?: () => number;
}

export interface KeyedTokenBucketsOptions extends TokenBucketOptions {
  /** Keys tracked at once; the least recently used is forgotten (a forgotten key starts full). */
  maxKeys?: number;
}

interface BucketState {
  tokens: number;
  updatedAt: number;
}

/**
 * One token bucket per key (e.g. per remote address), in memory. A take succeeds while the key's
 * bucket holds a token; buckets refill continuously. Independent of MQTT so it can move to a
 * shared library (or behind Redis) unchanged in shape.
 */
export class KeyedTokenBuckets {
  private readonly buckets: LRUCache<string, BucketState>;
  private readonly now: () => number;

  constructor(private readonly options: KeyedTokenBucketsOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) throw new RangeError('A token bucket needs capacity ≥ 1 and a positive refill rate');
    this.buckets = new LRUCache({ max: options.maxKeys ?? 10_000 });
    this.now = options.now ?? Date.now;
  }

  /** Takes one token from `key`'s bucket; false when the bucket is empty (the caller refuses). */
  tryTake(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.capacity, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + elapsedSeconds * this.options.refillPerSecond);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return allowed;
  }
}
