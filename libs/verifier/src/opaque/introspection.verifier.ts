import { type ApiKeyEnvironment, hashCredential, type ParsedCredential } from '@tollgate/credentials';
import { LRUCache } from 'lru-cache';
import type { OpaqueCredentialVerifier, VerificationContext } from '../credential.verifier.js';
import type { Principal } from '../principal.js';
import { invalidToken, unavailable, VerificationError } from '../verification-error.js';
import { type OpaqueIntrospectionResponse, principalFromIntrospection } from './introspection-response.js';

export interface IntrospectionVerifierOptions {
  /** The endpoint, or how to find it (discovery). */
  introspectionEndpoint: string | (() => Promise<string>);
  /** This resource server's client credentials at the auth-server (granted `tokens:introspect`). */
  clientId: string;
  clientSecret: string;
  /** This resource server's indicator: scopes are computed for it, and credentials restricted elsewhere are refused. */
  resource: string;
  /** How long an active result is trusted (bounded by the credential's expiry). Default 30 s. */
  cacheTtlMs?: number;
  /** How long "not active" is remembered, to absorb floods of the same bad credential. Default 5 s. */
  negativeCacheTtlMs?: number;
  /** API-key environments this resource server accepts (default both). */
  acceptedEnvironments?: ApiKeyEnvironment[];
  fetch?: typeof fetch;
  now?: () => number;
  /** Each credential looked up: answered from the cache (`true`), or introspected at the auth-server. */
  onLookup?: (cached: boolean) => void;
}

interface CacheEntry {
  principal?: Principal;
  until: number;
}

/**
 * Verifies PATs and API keys by RFC 7662 introspection at the auth-server, with a short cache keyed
 * by the credential's hash (never the credential itself) and one request in flight per credential.
 * Revocation events evict entries at once (`evictCredential`); `trustCache(false)` bypasses the cache.
 */
export class IntrospectionVerifier implements OpaqueCredentialVerifier {
  private readonly cache = new LRUCache<string, CacheEntry>({ max: 50_000 });
  private readonly keysByCredential = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<CacheEntry>>();
  private readonly now: () => number;
  private readonly authorization: string;
  private cacheTrusted = true;

  constructor(private readonly options: IntrospectionVerifierOptions) {
    this.now = options.now ?? Date.now;
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    this.authorization = `Basic ${Buffer.from(`${encode(options.clientId)}:${encode(options.clientSecret)}`).toString('base64')}`;
  }

  async verify(token: string, parsed: ParsedCredential, _context: VerificationContext): Promise<Principal> {
    if (!this.environmentAccepted(parsed)) {
      throw invalidToken(
        `${parsed.environment} API keys are not accepted by this service (it accepts ${this.options.acceptedEnvironments!.join(', ')})`,
        'wrong_environment',
      );
    }
    const key = hashCredential(token);
    const cached = this.cacheTrusted ? this.cache.get(key) : undefined;
    const fresh = cached !== undefined && cached.until > this.now();
    this.options.onLookup?.(fresh);
    const entry = fresh ? cached : await this.introspectOnce(key, token);
    if (!entry.principal) throw invalidToken('The credential is not valid (unknown, expired or revoked)', 'inactive');
    const principal = entry.principal;
    if (!this.audienceAccepted(principal)) {
      throw invalidToken('The credential is not valid for this resource', 'wrong_audience');
    }
    return principal;
  }

  private environmentAccepted(parsed: ParsedCredential): boolean {
    const accepted = this.options.acceptedEnvironments;
    return !parsed.environment || !accepted || accepted.includes(parsed.environment);
  }

  private audienceAccepted(principal: Principal): boolean {
    return principal.audience.length === 0 || principal.audience.includes(this.options.resource);
  }

  /**
   * The principal `verify` would accept from the cache alone, without introspecting; undefined
   * otherwise. Only results of `verify` are cached, after its checks of the string (checksum,
   * environment), under the hash of that exact string: the string need not be parsed again.
   */
  cached(token: string): Principal | undefined {
    if (!this.cacheTrusted) return undefined;
    const entry = this.cache.get(hashCredential(token));
    const principal = entry && entry.until > this.now() ? entry.principal : undefined;
    if (!principal || !this.audienceAccepted(principal)) return undefined;
    // A miss is counted by `verify`, which the caller goes on to.
    this.options.onLookup?.(true);
    return principal;
  }

  /** Forgets what is cached for a credential (revocation feed). */
  evictCredential(credentialId: string): void {
    const key = this.keysByCredential.get(credentialId);
    if (key) this.cache.delete(key);
    this.keysByCredential.delete(credentialId);
  }

  /**
   * Forgets what is cached for every credential of a user, consumer or client, and every cached
   * "not active" (it may have been one of theirs, refused while they were disabled).
   */
  evictSubject(kind: 'client' | 'user' | 'consumer', id: string): void {
    for (const [key, entry] of this.cache.entries()) {
      const principal = entry.principal;
      if (!principal) {
        this.cache.delete(key);
        continue;
      }
      const owner =
        kind === 'user' ? principal.userId : kind === 'consumer' ? principal.consumerId : principal.clientId;
      if (owner === id) {
        this.cache.delete(key);
        this.keysByCredential.delete(principal.credentialId);
      }
    }
  }

  clear(): void {
    this.cache.clear();
    this.keysByCredential.clear();
  }

  /** While false (revocation feed down too long), every request is introspected afresh. */
  trustCache(trusted: boolean): void {
    this.cacheTrusted = trusted;
    if (!trusted) this.clear();
  }

  private introspectOnce(key: string, token: string): Promise<CacheEntry> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.introspect(token).then(
        (entry) => {
          this.inFlight.delete(key);
          if (this.cacheTrusted) this.cache.set(key, entry);
          if (entry.principal) this.keysByCredential.set(entry.principal.credentialId, key);
          return entry;
        },
        (error: unknown) => {
          this.inFlight.delete(key);
          throw error;
        },
      );
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async introspect(token: string): Promise<CacheEntry> {
    const endpoint =
      typeof this.options.introspectionEndpoint === 'string'
        ? this.options.introspectionEndpoint
        : await this.options.introspectionEndpoint();
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(endpoint, {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, resource: this.options.resource }).toString(),
        signal: AbortSignal.timeout(3_000),
      });
    } catch {
      throw unavailable(
        'The authorization server could not be reached to check the credential',
        'introspection_unreachable',
      );
    }
    if (response.status === 401)
      throw unavailable(
        'This service could not authenticate to the authorization server to check the credential',
        'introspection_unauthorized',
      );
    if (!response.ok)
      throw unavailable(
        `The authorization server answered ${response.status} while checking the credential`,
        'introspection_failed',
      );
    const body = (await response.json()) as OpaqueIntrospectionResponse | { active: false };
    const now = this.now();
    if (!body.active) return { until: now + (this.options.negativeCacheTtlMs ?? 5_000) };
    if (body.credential_type !== 'pat' && body.credential_type !== 'api_key')
      throw new VerificationError('invalid_token', 'The credential is not accepted here', 'unexpected_type');
    const ttl = this.options.cacheTtlMs ?? 30_000;
    return {
      principal: principalFromIntrospection(body),
      until: Math.min(now + ttl, body.exp ? body.exp * 1000 : Number.POSITIVE_INFINITY),
    };
  }
}
