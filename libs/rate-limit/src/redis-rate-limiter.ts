import { type RedisConnection, RedisConnections, type RedisOutageLogger } from '@tollgate/platform';
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

export interface RedisRateLimiterOptions {
  /** Where an unreachable Redis is reported (once per outage). */
  logger: RedisOutageLogger;
  prefix?: string;
}

/**
 * Token buckets shared by every instance through Redis (one Lua script per request, atomic). While
 * Redis is unreachable each instance falls back to its own in-memory buckets: limits loosen to
 * per-instance rather than the API going down with Redis. A silent Redis costs one command timeout
 * per outage, not per request: after a timeout or a lost connection every request goes to the
 * fallback at once while the connection probes Redis in the background, and the buckets are shared
 * again as soon as it answers.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly connections: RedisConnections;
  private readonly redis: RedisConnection;
  private readonly fallback = new MemoryRateLimiter();
  private readonly prefix: string;

  constructor(url: string, options: RedisRateLimiterOptions) {
    this.prefix = options.prefix ?? 'tollgate:ratelimit:';
    // Half a second: this wait is on the request path, and only the first request of an outage pays it.
    this.connections = new RedisConnections(url, {
      purpose: 'the shared rate limits',
      fallback: 'Rate limits are per instance',
      logger: options.logger,
      commandTimeoutMs: 500,
    });
    this.redis = this.connections.commands();
    this.redis.defineCommand('tollgateTake', { numberOfKeys: 1, lua: TAKE });
  }

  /** Whether buckets are shared through Redis right now (false: per instance, while Redis is unreachable). */
  get shared(): boolean {
    return this.redis.ready;
  }

  async take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    if (!this.shared) return this.fallback.take(key, policy);
    try {
      const [allowed, tokens] = await (
        this.redis as unknown as { tollgateTake: (...args: unknown[]) => Promise<[number, string]> }
      ).tollgateTake(this.prefix + key, policy.requests, policy.perSeconds * 1000);
      return decide(Number(tokens), allowed === 1, policy);
    } catch {
      return this.fallback.take(key, policy);
    }
  }

  async close(): Promise<void> {
    await this.connections.close();
  }
}
