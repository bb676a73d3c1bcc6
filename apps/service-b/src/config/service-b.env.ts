import {
  composeEnv,
  DatabaseEnv,
  HttpServerEnv,
  MetricsEnv,
  IntegerFrom,
  OpenApiEnv,
  RedisEnv,
  ResourceServerEnv,
} from '@tollgate/platform';
import { IsOptional, Matches } from 'class-validator';

/**
 * Environment variables service-b accepts (docs/configuration.md's table is checked against this class).
 *
 * @property AUTH_ISSUER The authorization server: the `iss` of accepted tokens and the base of its metadata document.
 * @property CLIENT_ID service-b's own client at the auth-server (granted tokens:introspect, usage:write and
 * revocations:read on the management API): introspects PATs and API keys (RFC 7662), reports usage,
 * follows the revocation feed. Without it, only JWTs are accepted.
 * @property REDIS_URL Shared rate-limit counters across service-b instances (scaled mode).
 */
export class ServiceBEnv extends composeEnv(
  ResourceServerEnv({ resourceIndicator: 'https://crm.tollgate.local', client: { required: false } }),
  HttpServerEnv({ port: 7401 }),
  MetricsEnv(),
  DatabaseEnv({ dataDir: 'data/service-b' }),
  RedisEnv(),
  OpenApiEnv(),
) {
  /** API-key environments this service accepts, comma-separated (`live`, `test` or both). */
  @IsOptional()
  @Matches(/^(live|test)(,(live|test))?$/, { message: 'must be live, test or live,test' })
  API_KEY_ENVIRONMENTS: string = 'live,test';

  /** How long an introspection result (PAT or API key) is trusted, in seconds. */
  @IsOptional() @IntegerFrom(0, 300) INTROSPECTION_CACHE_SECONDS: number = 30;

  /**
   * After the revocation feed has been down this long, cached PAT/API-key introspection results are
   * no longer trusted (every request is introspected afresh) until it is back.
   */
  @IsOptional() @IntegerFrom(1, 3600) REVOCATION_FEED_MAX_STALENESS_SECONDS: number = 10;
}
