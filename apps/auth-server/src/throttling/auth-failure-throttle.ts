import { LRUCache } from 'lru-cache';

export interface ThrottleDecision {
  blocked: boolean;
  retryAfterSeconds: number;
}

/** What a throttle refuses: at most `perKey[kind]` failures per key of that kind (`kind:…`) in `windowMs`. */
export interface ThrottleLimits {
  perKey: Record<string, number>;
  windowMs: number;
}

interface Window {
  failures: number;
  startedAt: number;
}

/**
 * Counts failed authentications per key (client id, email, address) in fixed windows and blocks a
 * key that exceeds its limit until the window ends. Checked before any secret or password is hashed
 * or any assertion verified, so a flood of wrong guesses costs almost nothing. Bounded memory (LRU).
 * One instance's view; SharedAuthFailures makes it hold across instances.
 */
export class AuthFailureThrottle {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000 });

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  check(keys: string[]): ThrottleDecision {
    let retryAfterMs = 0;
    for (const key of keys) {
      const window = this.current(key);
      if (window && window.failures >= this.limitFor(key)) retryAfterMs = Math.max(retryAfterMs, window.startedAt + this.limits.windowMs - this.now());
    }
    return { blocked: retryAfterMs > 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Blocks `key` until `untilMs`, as if it had reached its limit here (a block shared by another instance). */
  block(key: string, untilMs: number): void {
    if (untilMs <= this.now()) return;
    this.windows.set(key, { failures: Number.POSITIVE_INFINITY, startedAt: untilMs - this.limits.windowMs });
  }

  recordFailure(keys: string[]): void {
    for (const key of keys) {
      const window = this.current(key) ?? { failures: 0, startedAt: this.now() };
      window.failures += 1;
      this.windows.set(key, window);
    }
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.startedAt >= this.limits.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  limitFor(key: string): number {
    return this.limits.perKey[key.slice(0, key.indexOf(':'))] ?? Number.POSITIVE_INFINITY;
  }
}
