import { Transform, Type } from 'class-transformer';
import { DATABASE_URL_PATTERN } from '@tollgate/persistence';
import { toBoolean } from '@tollgate/platform';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/** Environment variables service-b accepts (docs/configuration.md's table is checked against this class). */
export class ServiceBEnv {
  /** The authorization server: the `iss` of accepted tokens and the base of its metadata document. */
  @IsDefined({ message: 'is required (the URL of the auth-server)' })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  @Matches(/^[^?#]*[^/?#]$/, { message: 'must not end with "/" nor carry a query or fragment' })
  AUTH_ISSUER: string;

  /** This API's RFC 8707 resource indicator: the `aud` its tokens must carry. An absolute URI without fragment (RFC 8707 §2). */
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/, { message: 'must be an absolute URI without a fragment' })
  RESOURCE_INDICATOR: string = 'https://crm.tollgate.local';

  /**
   * service-b's own client at the auth-server (granted tokens:introspect, usage:write and
   * revocations:read on the management API): introspects PATs and API keys (RFC 7662), reports usage,
   * follows the revocation feed. Without it, only JWTs are accepted.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{3,64}$/, { message: 'must be 3–64 characters of letters, digits, . _ : -' })
  CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (a high-entropy secret)' })
  CLIENT_SECRET?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 7401;

  @IsOptional()
  @IsString()
  HOST: string = '127.0.0.1';

  /** Folder for the embedded database. */
  @IsOptional()
  @IsString()
  DATA_DIR: string = 'data/service-b';

  /** `sqlite:<file>` or `postgres://…`; default: a SQLite file in DATA_DIR. */
  @IsOptional()
  @Matches(DATABASE_URL_PATTERN, { message: 'must be sqlite:<file> or a postgres:// URL' })
  DATABASE_URL?: string;

  /** API-key environments this service accepts, comma-separated (`live`, `test` or both). */
  @IsOptional()
  @Matches(/^(live|test)(,(live|test))?$/, { message: 'must be live, test or live,test' })
  API_KEY_ENVIRONMENTS: string = 'live,test';

  /** How long an introspection result (PAT or API key) is trusted, in seconds. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  INTROSPECTION_CACHE_SECONDS: number = 30;

  /**
   * After the revocation feed has been down this long, cached PAT/API-key introspection results are
   * no longer trusted (every request is introspected afresh) until it is back.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  REVOCATION_FEED_MAX_STALENESS_SECONDS: number = 10;

  /** Shared rate-limit counters across service-b instances (scaled mode). */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

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
}
