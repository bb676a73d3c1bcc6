import type { ApiKeyEnvironment } from '@tollgate/credentials';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from '@tollgate/rate-limit';
import { CredentialVerifier } from './credential.verifier.js';
import { JwtAccessTokenVerifier } from './jwt/jwt-access-token.verifier.js';
import { IntrospectionVerifier } from './opaque/introspection.verifier.js';
import { RemoteAuthorizationServer } from './remote-authorization-server.js';
import { RevocationList } from './revocation-list.js';
import { UsageReporter } from './usage/usage-reporter.js';

export interface ResourceServerVerificationOptions {
  issuer: string;
  /** This resource server's RFC 8707 indicator. */
  resource: string;
  /** Credentials to introspect PATs and API keys; without them only JWTs are accepted. */
  introspectionClient?: { id: string; secret: string };
  /** Shared rate-limit buckets across instances; in memory when absent. */
  redisUrl?: string;
  introspectionCacheTtlMs?: number;
  /** API-key environments accepted here (default both). */
  acceptedKeyEnvironments?: ApiKeyEnvironment[];
  /** How often usage and refusals are reported to the auth-server (needs introspectionClient). */
  usageFlushIntervalMs?: number;
  onBackgroundError?: (error: unknown) => void;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Everything a resource server needs to verify Tollgate credentials: the remote authorization
 * server, JWT verification with its JWKS, introspection for PATs and API keys, rate limits and the
 * revocation list the revocation feed writes to.
 */
export class ResourceServerVerification {
  readonly authorizationServer: RemoteAuthorizationServer;
  readonly revocations = new RevocationList();
  readonly introspection?: IntrospectionVerifier;
  /** Usage and refusal reports to the auth-server (when this server has client credentials). */
  readonly usage?: UsageReporter;
  readonly rateLimiter: RateLimiter;
  readonly verifier: CredentialVerifier;

  constructor(readonly options: ResourceServerVerificationOptions) {
    this.authorizationServer = new RemoteAuthorizationServer(options.issuer, { fetch: options.fetch });
    this.rateLimiter = options.redisUrl ? new RedisRateLimiter(options.redisUrl) : new MemoryRateLimiter(options.now);
    if (options.introspectionClient) {
      this.introspection = new IntrospectionVerifier({
        introspectionEndpoint: () => this.authorizationServer.introspectionEndpoint(),
        clientId: options.introspectionClient.id,
        clientSecret: options.introspectionClient.secret,
        resource: options.resource,
        cacheTtlMs: options.introspectionCacheTtlMs,
        acceptedEnvironments: options.acceptedKeyEnvironments,
        fetch: options.fetch,
        now: options.now,
      });
      this.usage = new UsageReporter({
        issuer: options.issuer,
        clientId: options.introspectionClient.id,
        clientSecret: options.introspectionClient.secret,
        flushIntervalMs: options.usageFlushIntervalMs,
        fetch: options.fetch,
        now: options.now,
        onError: options.onBackgroundError,
      });
      this.usage.start();
    }
    this.verifier = new CredentialVerifier({
      jwt: new JwtAccessTokenVerifier({
        issuer: options.issuer,
        audience: options.resource,
        keys: this.authorizationServer.keySet,
        now: options.now ? () => new Date(options.now!()) : undefined,
      }),
      opaque: this.introspection,
      revocations: this.revocations,
      rateLimiter: this.rateLimiter,
      now: options.now,
    });
  }

  async close(): Promise<void> {
    await this.usage?.stop();
    await this.rateLimiter.close?.();
  }

  /** Nest lifecycle hook, when provided to a Nest app. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
