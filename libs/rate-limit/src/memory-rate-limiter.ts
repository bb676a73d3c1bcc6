import { LRUCache } from 'lru-cache';
import { decide, type RateLimitDecision, type RateLimiter, type RateLimitPolicy, refill } from './rate-limiter.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets in this process (one instance, or when REDIS_URL is not set). Bounded memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new LRUCache<string, Bucket>({ max: 100_000 });

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? refill(bucket.tokens, bucket.updatedAt, now, policy) : policy.requests;
    const allowed = tokens >= 1;
    const after = allowed ? tokens - 1 : tokens;
    this.buckets.set(key, { tokens: after, updatedAt: now });
    return decide(after, allowed, policy);
  }
}
