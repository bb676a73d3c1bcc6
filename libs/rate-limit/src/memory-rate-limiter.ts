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

  /** `cost`: how many tokens the request takes (e.g. the reports in one batch); all or none. */
  async take(key: string, policy: RateLimitPolicy, cost = 1): Promise<RateLimitDecision> {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? refill(bucket.tokens, bucket.updatedAt, now, policy) : policy.requests;
    const allowed = tokens >= cost;
    const after = allowed ? tokens - cost : tokens;
    this.buckets.set(key, { tokens: after, updatedAt: now });
    return decide(after, allowed, policy, cost);
  }
}
