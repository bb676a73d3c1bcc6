import type { Metrics } from '@tollgate/platform';
import type { DeniedRequest } from '../http/request-authentication.js';
import type { Principal } from '../principal.js';

/** Feed lag buckets (seconds): from a few milliseconds (the normal case) to minutes (an outage). */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * What a resource server decides, as Prometheus series: requests accepted per credential kind,
 * refused per kind and reason (`expired`, `revoked`, `insufficient_scope`, `rate_limited`,
 * `dpop_bound_as_bearer`, …), how often the introspection cache answered, and how long a
 * revocation took from the auth-server's store to this server's deny list.
 */
export class VerificationMetrics {
  private readonly decisions;
  private readonly feedLag;
  private readonly cacheHits;
  private readonly cacheMisses;
  private readonly acceptedByType = new Map<string, { inc(): void }>();

  constructor(metrics: Metrics) {
    this.decisions = metrics.counter({
      name: 'tollgate_credential_decisions_total',
      help: 'Requests that presented a credential, by credential kind, outcome (accepted, refused) and refusal reason',
      labelNames: ['credential_type', 'outcome', 'reason'],
    });
    this.feedLag = metrics.histogram({
      name: 'tollgate_revocation_feed_lag_seconds',
      help: 'Time from a revocation event being stored at the auth-server to its being applied here',
      buckets: LAG_BUCKETS,
    });
    const lookups = metrics.counter({
      name: 'tollgate_introspection_cache_lookups_total',
      help: 'PATs and API keys looked up, by result: hit (answered from the cache) or miss (introspected at the auth-server)',
      labelNames: ['result'],
    });
    this.cacheHits = lookups.labels({ result: 'hit' });
    this.cacheMisses = lookups.labels({ result: 'miss' });
  }

  /** A PAT or API key was answered from the introspection cache (`true`) or introspected. */
  introspectionLookup(cached: boolean): void {
    (cached ? this.cacheHits : this.cacheMisses).inc();
  }

  /** Runs on every accepted request: its counter child is bound once per credential kind (no label hashing). */
  accepted(principal: Principal): void {
    let counter = this.acceptedByType.get(principal.credentialType);
    if (!counter) {
      counter = this.decisions.labels({ credential_type: principal.credentialType, outcome: 'accepted', reason: '' });
      this.acceptedByType.set(principal.credentialType, counter);
    }
    counter.inc();
  }

  refused({ error, principal }: DeniedRequest): void {
    this.decisions.inc({
      credential_type: principal?.credentialType ?? 'unidentified',
      outcome: 'refused',
      // Reasons are the verifier's own codes (a fixed set), never text from the request.
      reason: /^[a-z_]{1,40}$/.test(error.reason) ? error.reason : 'other',
    });
  }

  /** A revocation event stored at `storedAtMs` is applied now. */
  revocationApplied(storedAtMs: number, nowMs = Date.now()): void {
    this.feedLag.observe(Math.max(0, nowMs - storedAtMs) / 1000);
  }
}
