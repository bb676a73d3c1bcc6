import { type ApiKeyEnvironment, MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { type ClientAuthMethod, internalIssuerFetch } from '@tollgate/m2m-client';
import type { Metrics, RedisOutageLogger } from '@tollgate/platform';
import { RedisDpopReplayCache } from '@tollgate/dpop';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from '@tollgate/rate-limit';
import { SenderConstraint } from './http/sender-constraint.js';
import { CredentialVerifier } from './credential.verifier.js';
import {
  JwtAccessTokenVerifier,
  MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
  type VerifiedAccessToken,
} from './jwt/jwt-access-token.verifier.js';
import { ManagementApiTokens } from './management-api-tokens.js';
import { IntrospectionVerifier } from './opaque/introspection.verifier.js';
import { RemoteAuthorizationServer } from './remote-authorization-server.js';
import type { SequencedRevocationEvent } from './revocation/revocation-event.js';
import { RevocationFeedClient } from './revocation/revocation-feed.client.js';
import { RevocationList } from './revocation/revocation-list.js';
import { UsageReporter, type UsageReporterHealth } from './usage/usage-reporter.js';
import { VerificationMetrics } from './metrics/verification-metrics.js';
import type { DeniedRequest } from './http/request-authentication.js';
import type { Principal } from './principal.js';

export interface ResourceServerVerificationOptions {
  issuer: string;
  /**
   * Where this server reaches the issuer's origin when the issuer URL does not resolve here (a
   * container network): the metadata, JWKS, introspection, usage reports and the revocation feed
   * are fetched there. Tokens must still carry `issuer` as their `iss`, and the metadata name it.
   */
  internalUrl?: string;
  /** This resource server's RFC 8707 indicator. */
  resource: string;
  /**
   * This resource server's client at the auth-server (granted tokens:introspect, usage:write and
   * revocations:read on the management API). Without it only JWTs are accepted, and neither usage
   * reports nor the revocation feed run. Their endpoints and the management API's indicator are read
   * from the auth-server's metadata; one that does not advertise them is reported through
   * `onBackgroundError`, never guessed at.
   */
  client?: {
    id: string;
    secret: string;
    /** How it authenticates for the revocation feed's tokens (default Basic); introspection and usage reports always use Basic. */
    authMethod?: ClientAuthMethod;
  };
  /** Prometheus series of this server's decisions and of the revocation feed's lag. */
  metrics?: Metrics;
  /** Accept PATs and API keys (by introspection). Default true; the MQTT broker accepts JWTs only. */
  acceptOpaque?: boolean;
  /**
   * Report usage and refusals to the auth-server (needs `usage:write`). Default: when opaque
   * credentials are accepted; the broker turns it on for its refusals of verified tokens.
   */
  reportUsage?: boolean;
  /** Shared rate-limit buckets across instances; in memory when absent. */
  redisUrl?: string;
  /** Where problems outside any request are reported (an unreachable Redis); the console by default. */
  logger?: RedisOutageLogger;
  introspectionCacheTtlMs?: number;
  /** API-key environments accepted here (default both). */
  acceptedKeyEnvironments?: ApiKeyEnvironment[];
  /** How often usage and refusals are reported to the auth-server. */
  usageFlushIntervalMs?: number;
  /** Entries of usage and refusals that may wait in memory (default 10,000); past it they are dropped and counted. */
  usageMaxPending?: number;
  /** Usage or refusals were dropped (called once per burst, with why). */
  onUsageDropped?: (reason: string) => void;
  /** After the feed has been down this long, cached introspection results are no longer trusted. Default 10 s. */
  maxFeedStalenessMs?: number;
  /** A usage report could not be delivered, or the revocation feed could not be followed (once per outage). */
  onBackgroundError?: (error: unknown) => void;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface VerificationHealth {
  revocationFeed: 'connected' | 'disconnected' | 'off';
  lastRevocationEventId?: string;
  /** False while the feed is down past the bound: every PAT/API key is introspected afresh. */
  introspectionCacheTrusted: boolean;
  /** Usage and refusals waiting to be reported, and how many were dropped (when usage is reported). */
  usageReports?: UsageReporterHealth;
}

/**
 * Everything a resource server needs to verify Tollgate credentials: the remote authorization
 * server, JWT verification with its JWKS, introspection for PATs and API keys, rate limits, usage
 * reports, and the revocation feed that keeps the deny list and the caches current.
 */
export class ResourceServerVerification {
  readonly authorizationServer: RemoteAuthorizationServer;
  readonly revocations: RevocationList;
  readonly introspection?: IntrospectionVerifier;
  /** Usage and refusal reports to the auth-server (when this server has client credentials). */
  readonly usage?: UsageReporter;
  readonly feed?: RevocationFeedClient;
  readonly rateLimiter: RateLimiter;
  /** RFC 9449 at this API: DPoP proofs seen, shared through Redis when `redisUrl` is set. */
  readonly senderConstraint: SenderConstraint;
  private readonly dpopReplays?: RedisDpopReplayCache;
  /** JWT verification alone (signature, claims), without the deny list: see `verifyAccessToken`. */
  readonly jwt: JwtAccessTokenVerifier;
  readonly verifier: CredentialVerifier;
  private readonly decisions?: VerificationMetrics;
  private readonly listeners: ((event: SequencedRevocationEvent) => void)[] = [];
  private readonly watchdog?: NodeJS.Timeout;
  private cacheTrusted = true;

  constructor(readonly options: ResourceServerVerificationOptions) {
    const now = options.now ?? Date.now;
    const fetchImpl = options.internalUrl
      ? internalIssuerFetch(options.issuer, options.internalUrl, options.fetch)
      : options.fetch;
    if (options.metrics) this.decisions = new VerificationMetrics(options.metrics);
    this.authorizationServer = new RemoteAuthorizationServer(options.issuer, { fetch: fetchImpl });
    this.revocations = new RevocationList(now);
    if (options.redisUrl)
      this.dpopReplays = new RedisDpopReplayCache(options.redisUrl, { logger: options.logger ?? console });
    this.senderConstraint = new SenderConstraint({ replays: this.dpopReplays });
    this.rateLimiter = options.redisUrl
      ? new RedisRateLimiter(options.redisUrl, { logger: options.logger ?? console })
      : new MemoryRateLimiter(now);
    const client = options.client;
    if (client && options.acceptOpaque !== false)
      this.introspection = new IntrospectionVerifier({
        introspectionEndpoint: () => this.authorizationServer.introspectionEndpoint(),
        clientId: client.id,
        clientSecret: client.secret,
        resource: options.resource,
        cacheTtlMs: options.introspectionCacheTtlMs,
        acceptedEnvironments: options.acceptedKeyEnvironments,
        fetch: fetchImpl,
        now,
        onLookup: this.decisions && ((cached) => this.decisions!.introspectionLookup(cached)),
      });
    if (client && (options.reportUsage ?? options.acceptOpaque !== false)) {
      this.usage = new UsageReporter({
        authorizationServer: this.authorizationServer,
        clientId: client.id,
        clientSecret: client.secret,
        flushIntervalMs: options.usageFlushIntervalMs,
        maxPending: options.usageMaxPending,
        fetch: fetchImpl,
        now,
        onError: options.onBackgroundError,
        onDropped: options.onUsageDropped,
      });
      this.usage.start();
    }
    if (client) {
      this.feed = new RevocationFeedClient({
        url: () => this.authorizationServer.revocationFeedEndpoint(),
        tokens: new ManagementApiTokens(this.authorizationServer, {
          clientId: client.id,
          clientSecret: client.secret,
          authMethod: client.authMethod,
          scope: MANAGEMENT_SCOPES.revocationsRead,
          fetch: fetchImpl,
        }),
        onEvent: (event) => this.apply(event),
        onConnectionChange: (connected) => connected && this.trustCache(true),
        onError: options.onBackgroundError,
        fetch: fetchImpl,
      });
      this.feed.start();
      const maxStaleness = options.maxFeedStalenessMs ?? 10_000;
      this.watchdog = setInterval(
        () => {
          const status = this.feed!.status();
          if (!status.connected && Date.now() - status.disconnectedSince! > maxStaleness) this.trustCache(false);
          this.revocations.prune(MAX_ACCESS_TOKEN_LIFETIME_SECONDS * 1000);
        },
        Math.min(1_000, maxStaleness),
      );
      this.watchdog.unref();
    }
    this.jwt = new JwtAccessTokenVerifier({
      issuer: options.issuer,
      audience: options.resource,
      keys: this.authorizationServer.keySet,
      now: options.now ? () => new Date(now()) : undefined,
    });
    this.verifier = new CredentialVerifier({
      jwt: this.jwt,
      opaque: this.introspection,
      revocations: this.revocations,
      rateLimiter: this.rateLimiter,
      now,
    });
  }

  /** A JWT access token with its claims, refused if the deny list says so (for non-HTTP servers such as the MQTT broker). */
  verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    // The verifier's cache, shared with HTTP: a device's token is verified once for both.
    return this.verifier.verifyAccessToken(token);
  }

  /** `verifyAccessToken` without waiting, for a token it verified before and remembers, unrevoked (see CredentialVerifier). */
  rememberedAccessToken(token: string): VerifiedAccessToken | undefined {
    return this.verifier.rememberedAccessToken(token);
  }

  /**
   * A response to a request whose credential was accepted: its usage (PATs and API keys, reported
   * in batches) and the accepted count. `countResponses` calls it for every response.
   */
  recordResponse(principal: Principal, status: number, address: string): void {
    this.usage?.recordResponse(principal, status, address);
    this.decisions?.accepted(principal);
  }

  /** A refused request that presented a credential: reported to the auth-server's audit log, and counted. */
  recordDenial(denied: DeniedRequest): void {
    this.usage?.recordDenial(denied);
    this.decisions?.refused(denied);
  }

  /** Acts on one revocation event at once: deny list, caches, and every registered listener (e.g. the broker's sessions). */
  apply(event: SequencedRevocationEvent): void {
    this.decisions?.revocationApplied(event.at);
    switch (event.type) {
      case 'credential.revoked':
        if (event.credentialType === 'client_secret') break;
        this.revocations.revokeCredential(event.credentialId);
        this.introspection?.evictCredential(event.credentialId);
        break;
      case 'credential.changed':
        if (event.credentialType === 'pat')
          this.revocations.refuseExchangedBefore('pat', event.credentialId, new Date(event.at));
        this.introspection?.evictCredential(event.credentialId);
        break;
      case 'token.revoked':
        this.revocations.revokeToken(event.jti, new Date(event.exp * 1000));
        break;
      case 'subject.revoked_before':
        this.revocations.revokeIssuedBefore(event.kind, event.id, new Date(event.before));
        this.introspection?.evictSubject(event.kind, event.id);
        break;
      case 'subject.changed':
        if (event.kind === 'user') this.revocations.refuseExchangedBefore('user', event.id, new Date(event.at));
        this.introspection?.evictSubject(event.kind, event.id);
        break;
      case 'signing_key.retired':
        // The deny set refuses the key's tokens at once, whatever JWKS copy a cache still serves.
        this.revocations.retireKey(event.kid);
        this.verifier.clearCache();
        this.authorizationServer.reloadKeys();
        break;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** Also tell `listener` about every revocation (after the caches and deny list have been updated). */
  onRevocation(listener: (event: SequencedRevocationEvent) => void): void {
    this.listeners.push(listener);
  }

  health(): VerificationHealth {
    const usageReports = this.usage ? { usageReports: this.usage.health() } : {};
    if (!this.feed) return { revocationFeed: 'off', introspectionCacheTrusted: true, ...usageReports };
    const status = this.feed.status();
    return {
      revocationFeed: status.connected ? 'connected' : 'disconnected',
      lastRevocationEventId: status.lastEventId,
      introspectionCacheTrusted: this.cacheTrusted,
      ...usageReports,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await this.feed?.stop();
    await this.usage?.stop();
    await this.rateLimiter.close?.();
    await this.dpopReplays?.close();
  }

  /** Nest lifecycle hook, when provided to a Nest app. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private trustCache(trusted: boolean): void {
    if (this.cacheTrusted === trusted) return;
    this.cacheTrusted = trusted;
    this.introspection?.trustCache(trusted);
  }
}
