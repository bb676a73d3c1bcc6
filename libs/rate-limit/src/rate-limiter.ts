/** A token bucket: `capacity` requests at once, refilled at `capacity / perSeconds` per second. */
export interface RateLimitPolicy {
  /** Requests allowed per window (the bucket's capacity). */
  requests: number;
  /** Window length in seconds (time to refill an empty bucket). */
  perSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one request is allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Takes one token from the bucket `key`; never blocks. */
  take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision>;
  close?(): Promise<void>;
}

/** The state arithmetic shared by the in-memory and Redis buckets (the Lua script mirrors it). */
export function refill(tokens: number, updatedAtMs: number, nowMs: number, policy: RateLimitPolicy): number {
  const rate = policy.requests / (policy.perSeconds * 1000);
  return Math.min(policy.requests, tokens + Math.max(0, nowMs - updatedAtMs) * rate);
}

/** `cost`: the tokens the request asked for (a refused request waits until that many are back). */
export function decide(tokensAfter: number, allowed: boolean, policy: RateLimitPolicy, cost = 1): RateLimitDecision {
  const msPerToken = (policy.perSeconds * 1000) / policy.requests;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokensAfter)),
    resetSeconds: Math.ceil(((policy.requests - tokensAfter) * msPerToken) / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(((cost - tokensAfter) * msPerToken) / 1000)),
  };
}

/**
 * IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the policy and the current
 * state, plus Retry-After when refused.
 */
export function rateLimitHeaders(
  policy: RateLimitPolicy,
  decision: RateLimitDecision,
  name = 'credential',
): Record<string, string> {
  return {
    'RateLimit-Policy': `"${name}";q=${policy.requests};w=${policy.perSeconds}`,
    RateLimit: `"${name}";r=${decision.remaining};t=${decision.resetSeconds}`,
    ...(decision.allowed ? {} : { 'Retry-After': String(decision.retryAfterSeconds) }),
  };
}
