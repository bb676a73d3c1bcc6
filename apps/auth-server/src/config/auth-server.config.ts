import { databaseSettings, type DatabaseSettings } from '@tollgate/persistence';
import {
  ConfigError,
  type Environment,
  httpServerSettings,
  type HttpServerSettings,
  loadEnv,
  readConfigFile,
} from '@tollgate/platform';
import { AuthServerEnv } from './auth-server.env.js';

export interface AuthServerConfig extends HttpServerSettings, DatabaseSettings {
  issuer: string;
  /** RFC 8707 indicator of the management API (the `aud` of tokens for `/api`). */
  managementApiIndicator: string;
  redisUrl?: string;
  bootstrapAdmin?: { clientId: string; clientSecret: string };
  keyEncryptionSecret?: string;
  signingAlg: 'ES256' | 'EdDSA';
  /** Access tokens are signed on libuv's thread pool (true) or on the event loop. */
  signOnThreadPool: boolean;
  defaultAccessTokenTtl: number;
  openApi: boolean;
  sessions: SessionConfig;
  pats: PatConfig;
  /** Days an audit event is kept (0: forever). */
  auditRetentionDays: number;
  webhooks: { allowPrivateNetworks: boolean };
  /** The IoT broker's health endpoint, proxied for the console's devices page; undefined: not configured. */
  iotBrokerHealthUrl?: string;
  dpop: { requireNonce: boolean };
  /** The mTLS token endpoint (RFC 8705), when configured. */
  mtls?: MtlsEndpointConfig;
}

export interface MtlsEndpointConfig {
  port: number;
  /** Public base URL: `${url}/oauth/token` is the `mtls_endpoint_aliases` token endpoint. */
  url: string;
  certificatePem: string;
  privateKeyPem: string;
  /** CAs whose certificates authenticate `tls_client_auth` clients (RFC 8705 §2.1); without them, that method is off. */
  clientCaPem?: string;
}

export interface SessionConfig {
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
  /** `Secure` cookie with the `__Host-` prefix when the issuer is https. */
  secureCookie: boolean;
}

export interface PatConfig {
  /** Default of the runtime policy (an admin may change it). */
  maxLifetimeDays: number;
  expiryWarningDays: number;
  /** 0: the periodic expiry check is off. */
  expiryCheckIntervalSeconds: number;
  expiryWebhook?: { url: string; secret?: string };
}

export const AUTH_SERVER_CONFIG = Symbol('AUTH_SERVER_CONFIG');

/** Reads and validates the auth-server's configuration; throws one ConfigError naming every bad variable. */
export function loadAuthServerConfig(env: Environment = process.env): AuthServerConfig {
  const values = loadEnv(AuthServerEnv, env);
  const problems: string[] = [];
  const database = databaseSettings(values, 'auth-server.sqlite');
  if (database.database.type === 'postgres' && !values.KEY_ENCRYPTION_SECRET) {
    problems.push(
      'KEY_ENCRYPTION_SECRET: required with a PostgreSQL DATABASE_URL (it is generated into DATA_DIR only on the embedded default)',
    );
  }
  if (values.PAT_EXPIRY_WEBHOOK_SECRET && !values.PAT_EXPIRY_WEBHOOK_URL)
    problems.push('PAT_EXPIRY_WEBHOOK_SECRET: set PAT_EXPIRY_WEBHOOK_URL too (the secret signs that webhook)');
  if (values.SESSION_IDLE_TTL > values.SESSION_ABSOLUTE_TTL)
    problems.push('SESSION_IDLE_TTL: must not exceed SESSION_ABSOLUTE_TTL');
  const issuer = values.AUTH_ISSUER ?? `http://localhost:${values.PORT}`;
  const mtls = mtlsEndpoint(values, issuer, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    issuer,
    managementApiIndicator: `${issuer}/api`,
    ...httpServerSettings(values),
    ...database,
    redisUrl: values.REDIS_URL,
    bootstrapAdmin: values.BOOTSTRAP_ADMIN_CLIENT_ID
      ? { clientId: values.BOOTSTRAP_ADMIN_CLIENT_ID, clientSecret: values.BOOTSTRAP_ADMIN_CLIENT_SECRET! }
      : undefined,
    keyEncryptionSecret: values.KEY_ENCRYPTION_SECRET,
    signingAlg: values.SIGNING_ALG,
    signOnThreadPool: values.SIGN_ON_THREAD_POOL,
    defaultAccessTokenTtl: values.DEFAULT_ACCESS_TOKEN_TTL,
    openApi: values.OPENAPI_ENABLED,
    auditRetentionDays: values.AUDIT_RETENTION_DAYS,
    webhooks: { allowPrivateNetworks: values.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
    sessions: {
      idleTtlSeconds: values.SESSION_IDLE_TTL,
      absoluteTtlSeconds: values.SESSION_ABSOLUTE_TTL,
      secureCookie: issuer.startsWith('https:'),
    },
    pats: {
      maxLifetimeDays: values.PAT_MAX_LIFETIME_DAYS,
      expiryWarningDays: values.PAT_EXPIRY_WARNING_DAYS,
      expiryCheckIntervalSeconds: values.PAT_EXPIRY_CHECK_INTERVAL,
      expiryWebhook: values.PAT_EXPIRY_WEBHOOK_URL
        ? { url: values.PAT_EXPIRY_WEBHOOK_URL, secret: values.PAT_EXPIRY_WEBHOOK_SECRET }
        : undefined,
    },
    iotBrokerHealthUrl: values.IOT_BROKER_HEALTH_URL,
    dpop: { requireNonce: values.DPOP_NONCE_REQUIRED },
    mtls,
  };
}

function mtlsEndpoint(values: AuthServerEnv, issuer: string, problems: string[]): MtlsEndpointConfig | undefined {
  if (values.MTLS_PORT === undefined) {
    if (values.TLS_CLIENT_CA_FILE)
      problems.push('TLS_CLIENT_CA_FILE: client certificates are only asked for at MTLS_PORT; set it too');
    return undefined;
  }
  if (values.MTLS_PORT === 0) problems.push('MTLS_PORT: name a port (its URL is published in the metadata)');
  if (!values.TLS_CERT_FILE || !values.TLS_KEY_FILE)
    problems.push('MTLS_PORT: set TLS_CERT_FILE and TLS_KEY_FILE too (the auth-server’s certificate and key)');
  const certificatePem = readConfigFile('TLS_CERT_FILE', values.TLS_CERT_FILE, problems);
  const privateKeyPem = readConfigFile('TLS_KEY_FILE', values.TLS_KEY_FILE, problems);
  const clientCaPem = readConfigFile('TLS_CLIENT_CA_FILE', values.TLS_CLIENT_CA_FILE, problems);
  if (!certificatePem || !privateKeyPem) return undefined;
  const url = (values.MTLS_URL ?? `https://${new URL(issuer).hostname}:${values.MTLS_PORT}`).replace(/\/+$/, '');
  return { port: values.MTLS_PORT, url, certificatePem, privateKeyPem, ...(clientCaPem && { clientCaPem }) };
}
