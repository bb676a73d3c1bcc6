import { Redis } from 'ioredis';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { decide, type RateLimitDecision, type RateLimiter, type RateLimitPolicy } from './rate-limiter.js';

// Atomic refill-and-take: the same arithmetic as `refill` in rate-limiter.ts, with Redis's clock so
// instances with skewed clocks share one bucket correctly.
const TAKE = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil then
  tokens = capacity
else
  tokens = math.min(capacity, tokens + math.max(0, now - updated) * capacity / window_ms)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'updated', now)
redis.call('PEXPIRE', key, window_ms * 2)
return { allowed, tostring(tokens) }
`;

/**
 * Token buckets shared by every instance through Redis (one Lua script per request, atomic). While
 * Redis is unreachable each instance falls back to its own in-memory buckets: limits loosen to
 * per-instance rather than the API going down with Redis.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly fallback = new MemoryRateLimiter();

  constructor(url: string, private readonly prefix = 'tollgate:ratelimit:') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500 });
    this.redis.defineCommand('tollgateTake', { numberOfKeys: 1, lua: TAKE });
    // Errors surface on the calls; without a listener ioredis would print each reconnect attempt.
    this.redis.on('error', () => undefined);
  }

  async take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    if (this.redis.status !== 'ready' && this.redis.status !== 'connecting' && this.redis.status !== 'connect') return this.fallback.take(key, policy);
    try {
      const [allowed, tokens] = await (this.redis as unknown as { tollgateTake: (...args: unknown[]) => Promise<[number, string]> }).tollgateTake(
        this.prefix + key,
        policy.requests,
        policy.perSeconds * 1000,
      );
      return decide(Number(tokens), allowed === 1, policy);
    } catch {
      return this.fallback.take(key, policy);
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
