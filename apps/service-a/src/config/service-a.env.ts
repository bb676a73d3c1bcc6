import { Type } from 'class-transformer';
import { DATABASE_URL_PATTERN } from '@tollgate/persistence';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Matches, Max, MaxLength, Min } from 'class-validator';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Environment variables service-a accepts. The required ones are marked optional here so that an
 * unset one is reported once as "is required" (by loadServiceAConfig) rather than by every format check.
 */
export class ServiceAEnv {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 7402;

  @IsOptional()
  @IsString()
  HOST: string = '127.0.0.1';

  /** Folder for the embedded database. */
  @IsOptional()
  @IsString()
  DATA_DIR: string = 'data/service-a';

  /** `sqlite:<file>` or `postgres://…`; default: a SQLite file in DATA_DIR. */
  @IsOptional()
  @Matches(DATABASE_URL_PATTERN, { message: 'must be sqlite:<file> or a postgres:// URL' })
  DATABASE_URL?: string;

  /** Required. The authorization server's issuer URL; its RFC 8414 metadata names the token endpoint. */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  @Matches(/^[^?#]*[^/?#]$/, { message: 'must not end with "/" nor carry a query or fragment' })
  AUTH_ISSUER: string;

  /**
   * Required. service-a's M2M client at the authorization server: tokens for service-b
   * (`contacts:read`), and for the revocation feed (`revocations:read` on the management API).
   */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  CLIENT_ID: string;

  /** Required. */
  @IsOptional()
  @IsString()
  @Length(1, 512)
  CLIENT_SECRET: string;

  @IsOptional()
  @IsIn(['client_secret_basic', 'client_secret_post'])
  CLIENT_AUTH_METHOD: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic';

  /**
   * service-a's own API: its RFC 8707 resource indicator, the `aud` of the access tokens it accepts
   * (scopes `audience:read`, `audience:sync`). An absolute URI without fragment (RFC 8707 §2).
   */
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/, { message: 'must be an absolute URI without a fragment' })
  @MaxLength(255)
  RESOURCE_INDICATOR: string = 'https://marketing.tollgate.local';

  /** Required. Base URL of service-b, the CRM. */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  @Matches(/^[^?#]*$/, { message: 'must not carry a query or fragment' })
  SERVICE_B_URL: string;

  /** RFC 8707 resource indicator of service-b: the `aud` its tokens must carry. */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  @MaxLength(255)
  SERVICE_B_RESOURCE: string = 'https://crm.tollgate.local';

  /** Seconds between scheduled syncs; 0 disables the schedule (POST /sync still works). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(604_800)
  SYNC_INTERVAL_SECONDS: number = 300;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Trust X-Forwarded-For from a reverse proxy: `true`, or a comma-separated list of proxy addresses/CIDRs; off by default. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;
}
