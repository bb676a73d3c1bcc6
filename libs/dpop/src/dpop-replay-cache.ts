import { type RedisConnection, RedisConnections, type RedisOutageLogger } from '@tollgate/platform';
import { DpopProofError, type DpopProofExpectations, type VerifiedDpopProof, verifyDpopProof } from './dpop-proof.js';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';

/** The DPoP proofs already accepted (RFC 9449 §11.1): a proof's `jti` is accepted once within its lifetime. */
export interface DpopReplayCache {
  /**
   * Records the proof (its key's thumbprint and its `jti`) until `untilMs`; false when it was seen
   * already, or when the cache can no longer tell (it had to forget proofs that expire as late).
   */
  firstUse(thumbprint: string, jti: string, untilMs: number): Promise<boolean>;
}

/** A fixed-size key for any `jti`, so a hostile one cannot make large entries. */
const proofKey = (thumbprint: string, jti: string) =>
  createHash('sha256').update(thumbprint).update('\0').update(jti).digest('base64url');

/**
 * Proofs seen by this process, at most `max` of them. When more proofs arrive within their window
 * than it holds, the oldest are forgotten before they expire; a proof that expires no later than
 * one forgotten could then be a replay nobody can tell, so it is refused too (`firstUse` false).
 * Clients make a new proof for every request, so only proofs kept and sent late are affected.
 */
export class MemoryDpopReplayCache implements DpopReplayCache {
  /** Each proof seen, with the time (ms) until which it is remembered. */
  private readonly seen: LRUCache<string, number>;
  private readonly now: () => number;
  /** Proofs remembered until this time or earlier may have been forgotten. */
  private forgottenUntil = 0;

  constructor(options: { max?: number; now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    // ttlResolution 0: every check reads the clock (a proof must not outlive its window by a cached time).
    this.seen = new LRUCache({
      max: options.max ?? 100_000,
      ttlResolution: 0,
      perf: { now: this.now },
      dispose: (until, _key, reason) => {
        if (reason === 'evict') this.forgottenUntil = Math.max(this.forgottenUntil, until);
      },
    });
  }

  async firstUse(thumbprint: string, jti: string, untilMs: number): Promise<boolean> {
    if (untilMs <= this.forgottenUntil) return false;
    const key = proofKey(thumbprint, jti);
    if (this.seen.has(key)) return false;
    this.seen.set(key, untilMs, { ttl: Math.max(1, untilMs - this.now()) });
    return true;
  }
}

export interface RedisDpopReplayCacheOptions {
  /** Where an unreachable Redis is reported (once per outage). */
  logger: RedisOutageLogger;
  prefix?: string;
}

/**
 * Proofs seen by every instance, in Redis (`SET NX PX`: the first instance to record a proof wins).
 * While Redis is unreachable each instance falls back to its own memory: a proof could then be
 * replayed once at another instance, rather than every request failing with Redis.
 */
export class RedisDpopReplayCache implements DpopReplayCache {
  private readonly connections: RedisConnections;
  private readonly redis: RedisConnection;
  private readonly fallback = new MemoryDpopReplayCache();
  private readonly prefix: string;

  constructor(url: string, options: RedisDpopReplayCacheOptions) {
    this.prefix = options.prefix ?? 'tollgate:dpop:';
    this.connections = new RedisConnections(url, {
      purpose: 'the DPoP proof replay cache',
      fallback: 'DPoP proofs are remembered per instance',
      logger: options.logger,
      commandTimeoutMs: 500,
    });
    this.redis = this.connections.commands();
  }

  async firstUse(thumbprint: string, jti: string, untilMs: number): Promise<boolean> {
    if (!this.redis.ready) return this.fallback.firstUse(thumbprint, jti, untilMs);
    const ttl = Math.max(1, Math.ceil(untilMs - Date.now()));
    try {
      return (await this.redis.set(this.prefix + proofKey(thumbprint, jti), '1', 'PX', ttl, 'NX')) === 'OK';
    } catch {
      return this.fallback.firstUse(thumbprint, jti, untilMs);
    }
  }

  /** Whether Redis answers within `timeoutMs` (then proofs are shared by every instance). */
  readyWithin(timeoutMs: number): Promise<boolean> {
    return this.redis.readyWithin(timeoutMs);
  }

  async close(): Promise<void> {
    await this.connections.close();
  }
}

/** How long after its `iat` a proof is accepted (RFC 9449 §11.1), and so how long its `jti` is remembered. */
export const DPOP_PROOF_MAX_AGE_SECONDS = 300;

/**
 * `verifyDpopProof`, then the proof's `jti` remembered for as long as the proof could be accepted
 * (its window plus a minute of clock skew): a proof seen before is refused (`replayed`).
 */
export async function acceptDpopProof(
  proof: string,
  expectations: Omit<DpopProofExpectations, 'maxAgeSeconds'>,
  replays: DpopReplayCache,
): Promise<VerifiedDpopProof> {
  const verified = await verifyDpopProof(proof, { ...expectations, maxAgeSeconds: DPOP_PROOF_MAX_AGE_SECONDS });
  const until = (verified.iat + DPOP_PROOF_MAX_AGE_SECONDS) * 1000 + 60_000;
  if (!(await replays.firstUse(verified.thumbprint, verified.jti, until)))
    throw new DpopProofError(
      'invalid_dpop_proof',
      'This DPoP proof was used before (its jti), or is too old to be told from a replay: make a new one for every request',
      'replayed',
    );
  return verified;
}
