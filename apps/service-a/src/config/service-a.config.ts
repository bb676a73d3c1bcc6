import type { ClientAuthMethod } from '@tollgate/m2m-client';
import { databaseSettings, type DatabaseSettings } from '@tollgate/persistence';
import { type Environment, httpServerSettings, type HttpServerSettings, loadEnv } from '@tollgate/platform';
import { ServiceAEnv } from './service-a.env.js';

export interface ServiceAConfig extends HttpServerSettings, DatabaseSettings {
  auth: {
    issuer: string;
    /** Where it is reached when the issuer URL does not resolve here (AUTH_INTERNAL_URL). */
    internalUrl?: string;
    clientId: string;
    clientSecret: string;
    authMethod: ClientAuthMethod;
    /** RFC 8707 indicator of service-a's own API: the audience its callers' tokens must carry. */
    resourceIndicator: string;
  };
  serviceB: {
    url: string;
    /** RFC 8707 indicator requested for service-b's tokens. */
    resource: string;
    /** Scope service-a needs at service-b. */
    scope: string;
    /** Time allowed for each request to service-b and to the authorization server. */
    timeoutMs: number;
    /** `dpop`: its tokens are bound to service-a's DPoP key (RFC 9449). */
    tokenBinding: 'none' | 'dpop';
  };
  /** 0 disables the scheduled sync. */
  syncIntervalSeconds: number;
}

export const SERVICE_A_CONFIG = Symbol('SERVICE_A_CONFIG');

export const CONTACTS_READ_SCOPE = 'contacts:read';

/** The scopes of service-a's own API. */
export const AUDIENCE_SCOPES = { read: 'audience:read', sync: 'audience:sync' } as const;

/** Reads and validates service-a's configuration; throws one ConfigError naming every bad variable. */
export function loadServiceAConfig(env: Environment = process.env): ServiceAConfig {
  const values = loadEnv(ServiceAEnv, env);
  return {
    ...httpServerSettings(values),
    ...databaseSettings(values, 'service-a.sqlite'),
    auth: {
      issuer: values.AUTH_ISSUER,
      internalUrl: values.AUTH_INTERNAL_URL,
      clientId: values.CLIENT_ID,
      clientSecret: values.CLIENT_SECRET,
      authMethod: values.CLIENT_AUTH_METHOD,
      resourceIndicator: values.RESOURCE_INDICATOR,
    },
    serviceB: {
      url: values.SERVICE_B_URL,
      resource: values.SERVICE_B_RESOURCE,
      scope: CONTACTS_READ_SCOPE,
      timeoutMs: 10_000,
      tokenBinding: values.SERVICE_B_BINDING,
    },
    syncIntervalSeconds: values.SYNC_INTERVAL_SECONDS,
  };
}
