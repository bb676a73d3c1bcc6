import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock, type RedisConnection, RedisConnections } from '@tollgate/platform';
import { createHash } from 'node:crypto';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { AuthFailureThrottle, type ThrottleDecision, type ThrottleLimits } from './auth-failure-throttle.js';

const BLOCKED_CHANNEL = 'tollgate:auth-failures:blocked';

/** The Redis connection that counts failures, with COUNT_FAILURE defined as a command (EVALSHA). */
type FailureCounter = RedisConnection & { tollgateCountFailure(key: string, windowMs: number): Promise<[number, number]> };

// Counts one failure in the key's window, which starts at its first failure; returns the count and
// the milliseconds left in the window.
const COUNT_FAILURE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }
`;

/** Failed authentications, checked before any secret is hashed and recorded after a failure. */
export interface FailureThrottle {
  check(keys: string[]): ThrottleDecision;
  recordFailure(keys: string[]): Promise<void>;
}

interface BlockMessage {
  throttle: string;
  key: string;
  retryAfterMs: number;
}

function isBlockMessage(value: unknown): value is BlockMessage {
  const message = value as BlockMessage;
  return typeof message?.throttle === 'string' && typeof message.key === 'string' && Number.isFinite(message.retryAfterMs);
}

/**
 * Throttles of failed sign-ins and client authentications that hold across every auth-server
 * instance. Each instance counts failures itself (enough on its own, and all there is without
 * REDIS_URL); with REDIS_URL every failure is also counted in Redis, and the instance whose failure
 * reaches a limit announces the block, so a guesser spreading attempts over N instances gets the
 * same number of tries as against one. Checking stays in memory: a request costs no Redis round trip,
 * only a failure does. If Redis is unreachable, limits fall back to per instance.
 */
@Injectable()
export class SharedAuthFailures implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SharedAuthFailures.name);
  private readonly throttles = new Map<string, AuthFailureThrottle>();
  private redis?: RedisConnections;
  private counter?: FailureCounter;

  constructor(
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    this.redis = new RedisConnections(this.config.redisUrl, {
      purpose: 'the authentication throttles',
      fallback: 'Failed sign-ins and client authentications are limited per instance',
      logger: { warn: (message) => this.logger.warn(message), info: (message) => this.logger.log(message) },
    });
    // Without an offline queue a failure while Redis is down is counted locally at once, not queued.
    const counter = this.redis.commands() as FailureCounter;
    counter.defineCommand('tollgateCountFailure', { numberOfKeys: 1, lua: COUNT_FAILURE });
    const subscriber = this.redis.subscriber();
    this.counter = counter;
    subscriber.on('message', (_channel, message) => this.applyBlock(message));
    // Boot waits a second at most: a healthy Redis is shared from the first failure, an unreachable
    // one does not hold the start (the subscription is renewed whenever Redis answers).
    await Promise.all([counter.readyWithin(1_000), subscriber.subscribe(BLOCKED_CHANNEL).catch(() => undefined)]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.close();
  }

  /** The throttle called `name` (one per use: client authentication, console sign-in). */
  throttle(name: string, limits: ThrottleLimits): FailureThrottle {
    // Blocks announced by other instances are applied by name: one throttle per name.
    if (this.throttles.has(name)) throw new Error(`A throttle named ${name} already exists`);
    const local = new AuthFailureThrottle(limits, () => this.clock.now().getTime());
    this.throttles.set(name, local);
    return {
      check: (keys) => local.check(keys),
      recordFailure: async (keys) => {
        local.recordFailure(keys);
        await this.share(name, local, limits, keys);
      },
    };
  }

  private async share(name: string, local: AuthFailureThrottle, limits: ThrottleLimits, keys: string[]): Promise<void> {
    const counter = this.counter;
    if (!counter?.ready) return;
    try {
      const counts = await Promise.all(keys.map((key) => counter.tollgateCountFailure(redisKey(name, key), limits.windowMs)));
      for (const [index, [count, retryAfterMs]] of counts.entries()) {
        if (count >= local.limitFor(keys[index]) && retryAfterMs > 0) {
          await counter.publish(BLOCKED_CHANNEL, JSON.stringify({ throttle: name, key: keys[index], retryAfterMs } satisfies BlockMessage));
        }
      }
    } catch (error) {
      this.logger.warn(`Could not share an authentication failure through Redis (limits are per instance meanwhile): ${(error as Error).message}`);
    }
  }

  private applyBlock(raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isBlockMessage(message)) return;
    this.throttles.get(message.throttle)?.block(message.key, this.clock.now().getTime() + message.retryAfterMs);
  }
}

/** Keys hold client ids and email addresses as sent: hashed, so Redis key names stay short and opaque. */
function redisKey(name: string, key: string): string {
  return `tollgate:auth-failures:${name}:${createHash('sha256').update(key).digest('base64url')}`;
}
