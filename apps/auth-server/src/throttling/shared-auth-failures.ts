import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock, type RedisConnection, RedisConnections } from '@tollgate/platform';
import { createHash } from 'node:crypto';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import {
  type AuthAttempt,
  AuthFailureThrottle,
  BUSY_RETRY_MS,
  KNOWN_PAIR_TTL_MS,
  type ThrottleDecision,
  type ThrottleKey,
  throttleKeys,
  type ThrottleLimits,
  type ThrottleRefusal,
} from './auth-failure-throttle.js';

const BLOCKED_CHANNEL = 'tollgate:auth-failures:blocked';

/**
 * The Redis connection that counts, with the scripts below defined as commands (EVALSHA). Each
 * takes an attempt's failure counters (pair, id, address), then for RESERVE and SETTLE their
 * pending counters and the pair's known marker.
 */
type FailureCounter = RedisConnection & {
  tollgateCountFailure(...keysThenWindowMs: [string, string, string, number]): Promise<number[]>;
  tollgateReserve(...keysThenArgs: [...string[], number, number, number, number, number]): Promise<number[]>;
  tollgateSettle(...keysThenArgs: [...string[], string, number, number]): Promise<number[]>;
};

// Counts one on a key whose window starts at its first count; answers the count and the ms left.
const COUNT = `
local function count(key, window_ms)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, window_ms) end
  return { n, redis.call('PTTL', key) }
end
local function failures(window_ms)
  local result = {}
  for i = 1, 3 do
    local counted = count(KEYS[i], window_ms)
    result[2 * i - 1], result[2 * i] = counted[1], counted[2]
  end
  return result
end
`;

// ARGV: window ms. Answers each counter's count and the ms left in its window.
const COUNT_FAILURE = `${COUNT}
return failures(ARGV[1])
`;

// ARGV: window ms, the three limits, the busy retry ms. Counts the attempt as pending unless a
// counter's failures, or failures and pending attempts, reach its limit (the id's is waived while
// the known marker exists): { 1 }, or { 0, ms to wait, 1 if only pending attempts are in the way }.
const RESERVE = `${COUNT}
local known = redis.call('EXISTS', KEYS[7]) == 1
local wait, busy = 0, 1
for i = 1, 3 do
  local limit = tonumber(ARGV[i + 1])
  local failed = tonumber(redis.call('GET', KEYS[i]) or '0')
  if known and i == 2 then
  elseif failed >= limit then
    local left = redis.call('PTTL', KEYS[i])
    if left < 0 then
      left = tonumber(ARGV[1])
      redis.call('PEXPIRE', KEYS[i], left)
    end
    wait, busy = math.max(wait, left), 0
  elseif failed + tonumber(redis.call('GET', KEYS[i + 3]) or '0') >= limit then
    wait = math.max(wait, tonumber(ARGV[5]))
  end
end
if wait > 0 then return { 0, wait, busy } end
for i = 4, 6 do count(KEYS[i], ARGV[1]) end
return { 1 }
`;

// ARGV: how the verification ended, window ms, how long a pair that succeeded stays known.
// Uncounts the pending attempt; counts a failure (answering as COUNT_FAILURE does), or marks the
// pair known after a success.
const SETTLE = `${COUNT}
for i = 4, 6 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
if ARGV[1] == 'failed' then return failures(ARGV[2]) end
if ARGV[1] == 'succeeded' then redis.call('SET', KEYS[7], '1', 'PX', ARGV[3]) end
return {}
`;

/** An attempt counted before its verification: say how the verification ended. */
export interface Reservation {
  blocked: false;
  /** It verified: it no longer counts, and its pair is known from now on. */
  succeeded(): Promise<void>;
  /** It did not verify: it counts as a failure. */
  failed(): Promise<void>;
  /** It could not be verified (e.g. the database failed): it no longer counts. */
  abandoned(): Promise<void>;
}

/** Failed authentications of one kind (console sign-in, client authentication). */
export interface FailureThrottle {
  /** Before a verification too expensive to run over the limit (argon2, an assertion's signature): counts the attempt first. */
  reserve(attempt: AuthAttempt): Promise<Reservation | ThrottleRefusal>;
  /** After a cheap verification failed (a secret's hash lookup): counts the failure; blocked past a limit. */
  recordFailure(attempt: AuthAttempt): Promise<ThrottleDecision>;
}

interface BlockMessage {
  throttle: string;
  key: string;
  retryAfterMs: number;
}

function isBlockMessage(value: unknown): value is BlockMessage {
  const message = value as BlockMessage;
  return (
    typeof message?.throttle === 'string' && typeof message.key === 'string' && Number.isFinite(message.retryAfterMs)
  );
}

/** A counter's count and the milliseconds left in its window, as Redis answered them. */
interface Counted {
  key: ThrottleKey;
  count: number;
  windowLeftMs: number;
}

/**
 * Throttles of failed sign-ins and client authentications that hold across every auth-server
 * instance. Without REDIS_URL each instance counts alone. With it, Redis is the count: attempts
 * before an expensive verification, and failures after a cheap one, are counted there atomically
 * (a Lua script), so concurrent guesses spread over N instances get the same number of tries as
 * against one. The instance whose count reaches a limit announces the block, so the others refuse
 * failures there without a round trip. If Redis is unreachable, limits fall back to per instance.
 */
@Injectable()
export class SharedAuthFailures implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SharedAuthFailures.name);
  private readonly throttles = new Map<string, AuthFailureThrottle>();
  private redis?: RedisConnections;
  private counter?: FailureCounter;
  /** False while Redis commands fail: the outage is logged once, not once per attempt. */
  private sharing = true;

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
    counter.defineCommand('tollgateCountFailure', { numberOfKeys: 3, lua: COUNT_FAILURE });
    counter.defineCommand('tollgateReserve', { numberOfKeys: 7, lua: RESERVE });
    counter.defineCommand('tollgateSettle', { numberOfKeys: 7, lua: SETTLE });
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
      reserve: (attempt) => this.reserve(name, local, limits, attempt),
      recordFailure: (attempt) => this.recordFailure(name, local, limits, attempt),
    };
  }

  private async reserve(
    name: string,
    local: AuthFailureThrottle,
    limits: ThrottleLimits,
    attempt: AuthAttempt,
  ): Promise<Reservation | ThrottleRefusal> {
    const keys = throttleKeys(attempt, limits);
    const redisKeys = countersOf(name, keys);
    const shared = await this.shared((counter) =>
      counter.tollgateReserve(
        ...redisKeys,
        limits.windowMs,
        limits.perPair,
        limits.perId,
        limits.perAddress,
        BUSY_RETRY_MS,
      ),
    );
    if (shared) {
      if (shared[0] === 0)
        return { blocked: true, busy: shared[2] === 1, retryAfterSeconds: Math.ceil(shared[1] / 1000) };
      // Counted here too, for when Redis goes away.
      local.count(attempt, 'pending');
    } else {
      const refusal = local.reserve(attempt);
      if (refusal) return refusal;
    }
    const settle = async (outcome: 'succeeded' | 'failed' | 'abandoned') => {
      local.settle(attempt, outcome);
      if (!shared) return;
      const counts = await this.shared((counter) =>
        counter.tollgateSettle(...redisKeys, outcome, limits.windowMs, KNOWN_PAIR_TTL_MS),
      );
      if (outcome === 'failed' && counts) await this.announceReached(name, counted(keys, counts));
    };
    return {
      blocked: false,
      succeeded: () => settle('succeeded'),
      failed: () => settle('failed'),
      abandoned: () => settle('abandoned'),
    };
  }

  private async recordFailure(
    name: string,
    local: AuthFailureThrottle,
    limits: ThrottleLimits,
    attempt: AuthAttempt,
  ): Promise<ThrottleDecision> {
    const decision = local.countFailure(attempt);
    // Past a limit at this instance alone, or announced by another: Redis would say the same.
    if (decision.blocked) return decision;
    const keys = throttleKeys(attempt, limits);
    const [pair, id, address] = countersOf(name, keys);
    const shared = await this.shared((counter) => counter.tollgateCountFailure(pair, id, address, limits.windowMs));
    if (!shared) return decision;
    const counts = counted(keys, shared);
    await this.announceReached(name, counts);
    const retryAfterMs = Math.max(
      0,
      ...counts.filter(({ key, count }) => count > key.limit).map(({ windowLeftMs }) => windowLeftMs),
    );
    return { blocked: retryAfterMs > 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Tells every instance about each counter at its limit, so they refuse there without asking Redis. */
  private async announceReached(name: string, counts: Counted[]): Promise<void> {
    for (const { key, count, windowLeftMs: retryAfterMs } of counts) {
      if (count < key.limit || retryAfterMs <= 0) continue;
      await this.shared((counter) =>
        counter.publish(
          BLOCKED_CHANNEL,
          JSON.stringify({ throttle: name, key: key.key, retryAfterMs } satisfies BlockMessage),
        ),
      );
    }
  }

  /** Runs a command on the counter connection; undefined without Redis or when it fails (limits are per instance meanwhile). */
  private async shared<T>(command: (counter: FailureCounter) => Promise<T>): Promise<T | undefined> {
    const counter = this.counter;
    if (!counter?.ready) return undefined;
    try {
      const result = await command(counter);
      if (!this.sharing) this.logger.log('Authentication failures are counted through Redis again');
      this.sharing = true;
      return result;
    } catch (error) {
      if (this.sharing)
        this.logger.warn(
          `Could not count authentication attempts through Redis (limits are per instance meanwhile): ${(error as Error).message}`,
        );
      this.sharing = false;
      return undefined;
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

function counted(keys: ThrottleKey[], answer: number[]): Counted[] {
  return keys.map((key, index) => ({ key, count: answer[2 * index], windowLeftMs: answer[2 * index + 1] }));
}

/** The Redis keys of an attempt's failure counters, their pending counters, and its pair's known marker. */
function countersOf(name: string, keys: ThrottleKey[]): string[] {
  const failures = keys.map((key) => redisKey(name, key.key));
  return [...failures, ...failures.map((key) => `${key}:pending`), redisKey(name, `known:${keys[0].key}`)];
}

/** Keys hold client ids and email addresses as sent: hashed, so Redis key names stay short and opaque. */
function redisKey(name: string, key: string): string {
  return `tollgate:auth-failures:${name}:${createHash('sha256').update(key).digest('base64url')}`;
}
