import { LRUCache } from 'lru-cache';

/** Who is authenticating (a client id, an email) and from which address. */
export interface AuthAttempt {
  id: string;
  address: string;
}

/**
 * What a throttle refuses, per window: failures of one id from one address (`perPair`), of one id
 * from every address (`perId`: a guess spread over many addresses) and from one address whatever
 * the id (`perAddress`: one address trying many ids). `perId` is waived for a pair that
 * authenticated within KNOWN_PAIR_TTL_MS, so guesses from elsewhere cannot lock an owner out from
 * where it already works.
 */
export interface ThrottleLimits {
  perPair: number;
  perId: number;
  perAddress: number;
  windowMs: number;
}

/** A pair stays known this long after its last success (as a "device cookie" would, by address). */
export const KNOWN_PAIR_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** An attempt refused only because attempts still being verified hold the rest of a limit waits this long. */
export const BUSY_RETRY_MS = 1_000;

export interface ThrottleDecision {
  blocked: boolean;
  retryAfterSeconds: number;
}

/** A refused reservation; `busy`: refused only because attempts still being verified hold the rest of a limit. */
export interface ThrottleRefusal extends ThrottleDecision {
  blocked: true;
  busy: boolean;
}

/** One counter of an attempt: its key (`pair:…`, `id:…`, `address:…`) and limit. */
export interface ThrottleKey {
  key: string;
  limit: number;
  /** The id's ceiling, waived for a known pair. */
  waivedWhenKnown: boolean;
}

/** The attempt's counters, in the order the Redis scripts take them: pair, id, address. */
export function throttleKeys(attempt: AuthAttempt, limits: ThrottleLimits): ThrottleKey[] {
  return [
    // JSON keeps the pair unambiguous: client ids may contain spaces.
    { key: `pair:${JSON.stringify([attempt.id, attempt.address])}`, limit: limits.perPair, waivedWhenKnown: false },
    { key: `id:${attempt.id}`, limit: limits.perId, waivedWhenKnown: true },
    { key: `address:${attempt.address}`, limit: limits.perAddress, waivedWhenKnown: false },
  ];
}

interface Window {
  failures: number;
  /** Attempts counted before their verification and not settled yet. */
  pending: number;
  startedAt: number;
}

/**
 * One instance's failure counts, in fixed windows per key, with bounded memory (LRU). JavaScript
 * runs one request's check-and-count without interleaving, so a burst of concurrent attempts gets
 * no more than the limit. SharedAuthFailures makes it hold across instances through Redis.
 */
export class AuthFailureThrottle {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000 });
  /** Known pairs (`pair:…` keys) and until when. */
  private readonly known = new LRUCache<string, number>({ max: 100_000 });

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Before an expensive verification: counts the attempt as pending unless a key's failures and
   * pending attempts already reach its limit, so the verifications in flight per key never exceed
   * what is left of the limit. Settle it with `settle`.
   */
  reserve(attempt: AuthAttempt): ThrottleRefusal | undefined {
    const keys = throttleKeys(attempt, this.limits);
    const known = this.isKnown(keys[0].key);
    let retryAfterMs = 0;
    let busy = true;
    for (const { key, limit, waivedWhenKnown } of keys) {
      const window = this.current(key);
      if (!window || (known && waivedWhenKnown)) continue;
      if (window.failures >= limit) {
        retryAfterMs = Math.max(retryAfterMs, this.windowLeftMs(window));
        busy = false;
      } else if (window.failures + window.pending >= limit) {
        retryAfterMs = Math.max(retryAfterMs, BUSY_RETRY_MS);
      }
    }
    if (retryAfterMs > 0) return { blocked: true, busy, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
    this.count(attempt, 'pending');
    return undefined;
  }

  /** A reserved attempt's verification ended: it failed (and counts as a failure), or not; `succeeded` makes its pair known. */
  settle(attempt: AuthAttempt, outcome: 'succeeded' | 'failed' | 'abandoned'): void {
    const keys = throttleKeys(attempt, this.limits);
    for (const { key } of keys) {
      const window = this.current(key);
      if (window && window.pending > 0) window.pending -= 1;
    }
    if (outcome === 'failed') this.count(attempt, 'failures');
    if (outcome === 'succeeded') this.known.set(keys[0].key, this.now() + KNOWN_PAIR_TTL_MS);
  }

  /** After a cheap verification failed: counts it; blocked once it takes a key past its limit. */
  countFailure(attempt: AuthAttempt): ThrottleDecision {
    this.count(attempt, 'failures');
    let retryAfterMs = 0;
    for (const { key, limit } of throttleKeys(attempt, this.limits)) {
      const window = this.current(key)!;
      if (window.failures > limit) retryAfterMs = Math.max(retryAfterMs, this.windowLeftMs(window));
    }
    return { blocked: retryAfterMs > 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Counts an attempt, as pending or as a failure, whatever the limits (e.g. one that Redis allowed). */
  count(attempt: AuthAttempt, as: 'pending' | 'failures'): void {
    for (const { key } of throttleKeys(attempt, this.limits)) {
      const window = this.current(key) ?? { failures: 0, pending: 0, startedAt: this.now() };
      window[as] += 1;
      this.windows.set(key, window);
    }
  }

  /** Blocks `key` until `untilMs`, as if it had reached its limit here (a block shared by another instance). */
  block(key: string, untilMs: number): void {
    if (untilMs <= this.now()) return;
    this.windows.set(key, {
      failures: Number.POSITIVE_INFINITY,
      pending: 0,
      startedAt: untilMs - this.limits.windowMs,
    });
  }

  private windowLeftMs(window: Window): number {
    return window.startedAt + this.limits.windowMs - this.now();
  }

  private isKnown(pairKey: string): boolean {
    return (this.known.get(pairKey) ?? 0) > this.now();
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.startedAt >= this.limits.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}
