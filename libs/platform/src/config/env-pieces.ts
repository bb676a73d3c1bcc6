import { IsOptional, IsString, Matches } from 'class-validator';
import { BothOrNeither, parseTrustProxy } from './load-env.js';
import {
  IsClientId,
  IsClientSecret,
  IsFlag,
  IsIssuerOrigin,
  IsIssuerUrl,
  IsLogLevel,
  IsPort,
  IsResourceIndicator,
  Required,
} from './env-rules.js';

// A mixin's base class must take any constructor arguments (TypeScript requires `any[]` there).
export type EnvClass<T = object> = new (...args: any[]) => T;

export type EnvPiece = (Base: EnvClass) => EnvClass;

type Variables<Pieces extends EnvPiece[]> = Pieces extends [
  infer First extends EnvPiece,
  ...infer Rest extends EnvPiece[],
]
  ? InstanceType<ReturnType<First>> & Variables<Rest>
  : unknown;

/** The root of every env class. */
export class Env {}

/**
 * The variables several apps share, each group (a piece) declared once here: an app's env class
 * extends `composeEnv(…pieces)` and adds its own. The configuration reference lists the pieces'
 * variables first, in the order given, with the JSDoc written here; an app describes its own use of
 * one with a `@property NAME …` tag on its class.
 */
export function composeEnv<Pieces extends EnvPiece[]>(...pieces: Pieces): EnvClass<Variables<Pieces>> {
  return pieces.reduce<EnvClass>((base, piece) => piece(base), Env) as EnvClass<Variables<Pieces>>;
}

/** Where a long-running app listens and how much it logs. */
export function ProcessEnv() {
  return (Base: EnvClass) => {
    class ProcessEnv extends Base {
      /** Address to listen on; `0.0.0.0` in a container. */
      @IsOptional() @IsString() HOST: string = '127.0.0.1';

      /** pino log level. */
      @IsOptional() @IsLogLevel() LOG_LEVEL: string = 'info';
    }
    return ProcessEnv;
  };
}

/** Prometheus metrics at `/metrics` on a port of their own (off unless METRICS_PORT is set). */
export function MetricsEnv() {
  return (Base: EnvClass) => {
    class MetricsEnv extends Base {
      /** Port of `GET /metrics` (Prometheus text format), apart from the app's own; off unless set. */
      @IsOptional() @IsPort() METRICS_PORT?: number;

      /** Address the metrics port binds to: localhost by default; the internal network's address (or `0.0.0.0` in a container) for a Prometheus elsewhere. */
      @IsOptional() @IsString() METRICS_HOST: string = '127.0.0.1';
    }
    return MetricsEnv;
  };
}

/** Where the metrics listener listens, when METRICS_PORT is set. */
export function metricsSettings(values: {
  METRICS_PORT?: number;
  METRICS_HOST?: string;
}): { port: number; host: string } | undefined {
  return values.METRICS_PORT === undefined
    ? undefined
    : { port: values.METRICS_PORT, host: values.METRICS_HOST ?? '127.0.0.1' };
}

/** An HTTP server: HOST and LOG_LEVEL, its port, and whom to trust for the client's address. */
export function HttpServerEnv(defaults: { port: number }) {
  return (Base: EnvClass) => {
    class HttpServerEnv extends ProcessEnv()(Base) {
      /** HTTP port. */
      @IsOptional() @IsPort() PORT: number = defaults.port;

      /** Trust X-Forwarded-For from a reverse proxy: `true`, or a comma-separated list of proxy addresses/CIDRs; off by default. */
      @IsOptional() @IsString() TRUST_PROXY?: string;
    }
    return HttpServerEnv;
  };
}

/** What an app's configuration keeps of its HttpServerEnv variables. */
export interface HttpServerSettings {
  port: number;
  host: string;
  logLevel: string;
  trustProxy?: boolean | string;
  /** The metrics listener, when METRICS_PORT is set. */
  metrics?: { port: number; host: string };
}

export function httpServerSettings(values: {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
  TRUST_PROXY?: string;
  METRICS_PORT?: number;
  METRICS_HOST?: string;
}): HttpServerSettings {
  return {
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    metrics: metricsSettings(values),
  };
}

/** The OpenAPI document of an HTTP API. */
export function OpenApiEnv() {
  return (Base: EnvClass) => {
    class OpenApiEnv extends Base {
      /** Serve the OpenAPI document at `/docs` (UI) and `/docs/json`. */
      @IsOptional() @IsFlag() OPENAPI_ENABLED: boolean = true;
    }
    return OpenApiEnv;
  };
}

/** Validation pattern for DATABASE_URL: `sqlite:<file>` or a PostgreSQL URL. */
export const DATABASE_URL_PATTERN = /^(sqlite:.+|postgres(ql)?:\/\/.+)$/;

/** An app's database: the embedded SQLite file in DATA_DIR, or PostgreSQL. */
export function DatabaseEnv(defaults: { dataDir: string }) {
  return (Base: EnvClass) => {
    class DatabaseEnv extends Base {
      /** Folder for the embedded database. */
      @IsOptional() @IsString() DATA_DIR: string = defaults.dataDir;

      /** `sqlite:<file>` or `postgres://…`; default: a SQLite file in DATA_DIR. */
      @IsOptional()
      @Matches(DATABASE_URL_PATTERN, { message: 'must be sqlite:<file> or a postgres:// URL' })
      DATABASE_URL?: string;
    }
    return DatabaseEnv;
  };
}

/** Redis, for the apps that scale out: what each keeps there is said on its env class. */
export function RedisEnv() {
  return (Base: EnvClass) => {
    class RedisEnv extends Base {
      /** Scaled mode: several instances side by side share state through this Redis. */
      @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' }) REDIS_URL?: string;
    }
    return RedisEnv;
  };
}

/** The auth-server, for the apps that rely on it: every endpoint is found through its metadata. */
export function IssuerEnv() {
  return (Base: EnvClass) => {
    class IssuerEnv extends Base {
      /** The authorization server's issuer URL; its RFC 8414 metadata names the token endpoint. */
      @Required() @IsIssuerUrl() AUTH_ISSUER!: string;

      /** Where this app reaches the auth-server when AUTH_ISSUER does not resolve here (a container network, e.g. `http://auth-server:7400`): metadata and every endpoint on AUTH_ISSUER's origin are fetched at this origin instead; tokens and metadata must still name AUTH_ISSUER. Default: AUTH_ISSUER itself. */
      @IsOptional() @IsIssuerOrigin() AUTH_INTERNAL_URL?: string;
    }
    return IssuerEnv;
  };
}

export interface ClientCredentialsOptions {
  /** Without them the app does not start; otherwise both or neither. */
  required: boolean;
  /** A stricter rule for the id than the auth-server's (a device's id is also its MQTT client id). */
  clientId?: PropertyDecorator;
}

type ClientCredentials<IsRequired extends boolean> = IsRequired extends true
  ? { CLIENT_ID: string; CLIENT_SECRET: string }
  : { CLIENT_ID?: string; CLIENT_SECRET?: string };

/** The app's own client at the auth-server (client_secret_basic or client_secret_post). */
export function ClientCredentialsEnv<IsRequired extends boolean>(
  options: ClientCredentialsOptions & { required: IsRequired },
): (Base: EnvClass) => EnvClass<ClientCredentials<IsRequired>>;
export function ClientCredentialsEnv(options: ClientCredentialsOptions) {
  const presence = options.required ? Required : IsOptional;
  return (Base: EnvClass) => {
    class ClientCredentialsEnv extends Base {
      /** This app's client id at the auth-server. */
      @presence()
      @(options.clientId ?? IsClientId())
      CLIENT_ID!: string;

      /** The secret of `CLIENT_ID`. */
      @presence() @IsClientSecret() CLIENT_SECRET!: string;
    }
    if (!options.required) BothOrNeither('CLIENT_ID', 'CLIENT_SECRET')(ClientCredentialsEnv);
    return ClientCredentialsEnv;
  };
}

/**
 * An API protected by the auth-server's tokens: the issuer it trusts (IssuerEnv), its resource
 * indicator, and its own client at the auth-server (ClientCredentialsEnv), for introspection and the
 * revocation feed.
 */
export function ResourceServerEnv<IsRequired extends boolean>(options: {
  resourceIndicator: string;
  client: ClientCredentialsOptions & { required: IsRequired };
}): (
  Base: EnvClass,
) => EnvClass<
  { AUTH_ISSUER: string; AUTH_INTERNAL_URL?: string; RESOURCE_INDICATOR: string } & ClientCredentials<IsRequired>
>;
export function ResourceServerEnv(options: { resourceIndicator: string; client: ClientCredentialsOptions }) {
  return (Base: EnvClass) => {
    class ResourceServerEnv extends IssuerEnv()(Base) {
      /** This API's RFC 8707 resource indicator: the `aud` its tokens must carry. An absolute URI without fragment (RFC 8707 §2). */
      @IsOptional() @IsResourceIndicator() RESOURCE_INDICATOR: string = options.resourceIndicator;
    }
    return ClientCredentialsEnv(options.client)(ResourceServerEnv);
  };
}
