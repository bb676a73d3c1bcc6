import type { ApiKeyEnvironment } from '@tollgate/credentials';
import { databaseSettings, type DatabaseSettings } from '@tollgate/persistence';
import { type Environment, httpServerSettings, type HttpServerSettings, loadEnv } from '@tollgate/platform';
import { ServiceBEnv } from './service-b.env.js';

export interface ServiceBAuthConfig {
  /** The authorization server's issuer identifier (`iss`). */
  issuer: string;
  /** Where it is reached when the issuer URL does not resolve here (AUTH_INTERNAL_URL). */
  internalUrl?: string;
  /** RFC 8707 indicator of this API: the audience its tokens must carry. */
  resourceIndicator: string;
  /** service-b's own client: introspection of PATs and API keys (RFC 7662), usage reports, revocation feed. */
  client?: { id: string; secret: string };
  acceptedKeyEnvironments: ApiKeyEnvironment[];
  introspectionCacheSeconds: number;
  revocationFeedMaxStalenessSeconds: number;
}

export interface ServiceBConfig extends HttpServerSettings, DatabaseSettings {
  auth: ServiceBAuthConfig;
  redisUrl?: string;
  openApi: boolean;
}

export const SERVICE_B_CONFIG = Symbol('SERVICE_B_CONFIG');

/** Reads and validates service-b's configuration; throws one ConfigError naming every bad variable. */
export function loadServiceBConfig(env: Environment = process.env): ServiceBConfig {
  const values = loadEnv(ServiceBEnv, env);
  return {
    ...httpServerSettings(values),
    ...databaseSettings(values, 'service-b.sqlite'),
    auth: {
      issuer: values.AUTH_ISSUER,
      internalUrl: values.AUTH_INTERNAL_URL,
      resourceIndicator: values.RESOURCE_INDICATOR,
      client: values.CLIENT_ID ? { id: values.CLIENT_ID, secret: values.CLIENT_SECRET! } : undefined,
      acceptedKeyEnvironments: values.API_KEY_ENVIRONMENTS.split(',') as ApiKeyEnvironment[],
      introspectionCacheSeconds: values.INTROSPECTION_CACHE_SECONDS,
      revocationFeedMaxStalenessSeconds: values.REVOCATION_FEED_MAX_STALENESS_SECONDS,
    },
    redisUrl: values.REDIS_URL,
    openApi: values.OPENAPI_ENABLED,
  };
}
