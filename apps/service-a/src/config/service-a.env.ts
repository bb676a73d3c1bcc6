import {
  composeEnv,
  DatabaseEnv,
  HttpServerEnv,
  MetricsEnv,
  IntegerFrom,
  IsHttpUrl,
  IsResourceIndicator,
  Required,
  ResourceServerEnv,
} from '@tollgate/platform';
import { IsIn, IsOptional, Matches } from 'class-validator';

/**
 * Environment variables service-a accepts.
 *
 * @property CLIENT_ID service-a's M2M client at the authorization server: tokens for service-b
 * (`contacts:read`), and for the revocation feed (`revocations:read` on the management API).
 * @property RESOURCE_INDICATOR service-a's own API: its RFC 8707 resource indicator, the `aud` of the access tokens it accepts
 * (scopes `audience:read`, `audience:sync`). An absolute URI without fragment (RFC 8707 §2).
 */
export class ServiceAEnv extends composeEnv(
  ResourceServerEnv({ resourceIndicator: 'https://marketing.tollgate.local', client: { required: true } }),
  HttpServerEnv({ port: 7402 }),
  MetricsEnv(),
  DatabaseEnv({ dataDir: 'data/service-a' }),
) {
  @IsOptional() @IsIn(['client_secret_basic', 'client_secret_post']) CLIENT_AUTH_METHOD:
    'client_secret_basic' | 'client_secret_post' = 'client_secret_basic';

  /** Base URL of service-b, the CRM. */
  @Required()
  @IsHttpUrl()
  @Matches(/^[^?#]*$/, { message: 'must not carry a query or fragment' })
  SERVICE_B_URL: string;

  /** RFC 8707 resource indicator of service-b: the `aud` its tokens must carry. */
  @IsOptional() @IsResourceIndicator() SERVICE_B_RESOURCE: string = 'https://crm.tollgate.local';

  /**
   * `dpop`: service-a's tokens for service-b are bound to a key it generates at start (RFC 9449), so
   * a token copied from its traffic is useless; `none`: bearer tokens.
   */
  @IsOptional() @IsIn(['none', 'dpop']) SERVICE_B_BINDING: 'none' | 'dpop' = 'none';

  /** Seconds between scheduled syncs; 0 disables the schedule (POST /sync still works). */
  @IsOptional() @IntegerFrom(0, 604_800) SYNC_INTERVAL_SECONDS: number = 300;
}
