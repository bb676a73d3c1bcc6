import { LRUCache } from 'lru-cache';

export interface TokenBucketOptions {
  /** Largest burst: how many tokens a full bucket holds. */
  capacity: number;
  /** Tokens added back per second, up to `capacity`. */
  refillPerSecond: number;
  now?: () => number;
}

export interface KeyedTokenBucketsOptions extends TokenBucketOptions {
  /** Keys tracked at once; the least recently used is forgotten (a forgotten key starts full). */
  maxKeys?: number;
}

/**
 * A token bucket in memory; it starts full and refills continuously. A take of `cost` tokens
 * succeeds once the bucket holds them, or holds a full bucket when `cost` is larger than the
 * bucket: such a take leaves it in debt, so one oversized take is paid for by the waits after it.
 * Independent of MQTT so it can move to a shared library (or behind Redis) unchanged in shape.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0))
      throw new RangeError('A token bucket needs capacity ≥ 1 and a positive refill rate');
    this.now = options.now ?? Date.now;
    this.tokens = options.capacity;
    this.updatedAt = this.now();
  }

  /** Takes `cost` tokens; false (and nothing taken) when they are not there yet. `now` saves a clock read. */
  tryTake(cost = 1, now = this.now()): boolean {
    if (this.msUntil(cost, now) > 0) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until a take of `cost` would succeed; 0 when it would now. */
  msUntil(cost = 1, now = this.now()): number {
    this.refill(now);
    const missing = Math.min(cost, this.options.capacity) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.options.refillPerSecond);
  }

  /** True when the bucket has refilled completely (nothing taken for a while). */
  isFull(now = this.now()): boolean {
    this.refill(now);
    return this.tokens >= this.options.capacity;
  }

  private refill(now: number): void {
    // A clock that steps back refills nothing.
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.options.capacity, this.tokens + elapsedSeconds * this.options.refillPerSecond);
    this.updatedAt = Math.max(now, this.updatedAt);
  }
}

/** One token bucket per key (e.g. per remote address), in memory, each starting full. */
export class KeyedTokenBuckets {
  private readonly buckets: LRUCache<string, TokenBucket>;

  constructor(private readonly options: KeyedTokenBucketsOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0))
      throw new RangeError('A token bucket needs capacity ≥ 1 and a positive refill rate');
    this.buckets = new LRUCache({ max: options.maxKeys ?? 10_000 });
  }

  /** Takes one token from `key`'s bucket; false when the bucket is empty (the caller refuses). */
  tryTake(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.options);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }
}
