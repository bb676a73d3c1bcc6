import { Transform, Type } from 'class-transformer';
import { DATABASE_URL_PATTERN } from '@tollgate/persistence';
import { toBoolean } from '@tollgate/platform';
import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/** Environment variables the auth-server accepts (docs/configuration.md's table is checked against this class). */
export class AuthServerEnv {
  /** Public base URL of this server: the `iss` of every token and the base of every endpoint. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  @Matches(/^https?:\/\/[^/?#]+$/, { message: 'must be an origin (scheme://host[:port]) without path, query or trailing "/"' })
  AUTH_ISSUER?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 7400;

  @IsOptional()
  @IsString()
  HOST: string = '127.0.0.1';

  /** Folder for the embedded database and the generated key-encryption secret. */
  @IsOptional()
  @IsString()
  DATA_DIR: string = 'data/auth-server';

  /** `sqlite:<file>` or `postgres://…`; default: a SQLite file in DATA_DIR. */
  @IsOptional()
  @Matches(DATABASE_URL_PATTERN, { message: 'must be sqlite:<file> or a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{3,64}$/, { message: 'must be 3–64 characters of letters, digits, . _ : -' })
  BOOTSTRAP_ADMIN_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (a high-entropy secret)' })
  BOOTSTRAP_ADMIN_CLIENT_SECRET?: string;

  /** Encrypts signing keys at rest. Generated into DATA_DIR on the embedded default when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  KEY_ENCRYPTION_SECRET?: string;

  @IsOptional()
  @IsIn(['ES256', 'EdDSA'])
  SIGNING_ALG: 'ES256' | 'EdDSA' = 'ES256';

  /** Access-token lifetime for resources created without one, in seconds. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(MAX_ACCESS_TOKEN_LIFETIME_SECONDS)
  DEFAULT_ACCESS_TOKEN_TTL: number = 900;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Trust X-Forwarded-For from a reverse proxy: `true`, or a comma-separated list of proxy addresses/CIDRs; off by default. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  OPENAPI_ENABLED: boolean = true;

  /** Console sessions end after this many seconds without a request. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86_400)
  SESSION_IDLE_TTL: number = 1800;

  /** Console sessions end this many seconds after sign-in, whatever the activity. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(300)
  @Max(2_592_000)
  SESSION_ABSOLUTE_TTL: number = 43_200;

  /** Longest PAT lifetime, in days, until an admin changes the policy at runtime (PUT /api/settings/pat-policy). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  PAT_MAX_LIFETIME_DAYS: number = 90;

  /** A PAT expiring within this many days gets one expiry warning (audit event `pat.expiring`, webhook). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  PAT_EXPIRY_WARNING_DAYS: number = 7;

  /** How often, in seconds, to look for PATs about to expire; 0 turns the job off. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86_400)
  PAT_EXPIRY_CHECK_INTERVAL: number = 3600;

  /** Receives a JSON POST (without the token) for each PAT about to expire. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  PAT_EXPIRY_WEBHOOK_URL?: string;

  /** Signs the expiry webhook (Standard Webhooks HMAC-SHA256); a `whsec_` prefix means base64 bytes follow. */
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'must be at least 24 characters' })
  PAT_EXPIRY_WEBHOOK_SECRET?: string;

  /** The IoT broker's GET /health (e.g. http://127.0.0.1:7884/health): the console shows connected devices; the broker lists their ids with HEALTH_SHOW_DEVICES=true. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  IOT_BROKER_HEALTH_URL?: string;
}
