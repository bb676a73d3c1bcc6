import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Length, Matches, Max, Min } from 'class-validator';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
// The management API's client-id rule, which also makes every id a valid MQTT device id.
const CLIENT_ID = /^[A-Za-z0-9._-]{3,64}$/;
const CLIENT_ID_MESSAGE = { message: 'must be 3–64 characters of letters, digits, . _ -' };
const RESOURCE_INDICATOR = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/;
const RESOURCE_MESSAGE = { message: 'must be an absolute URI without a fragment (RFC 8707 §2)' };
const SECRET_MESSAGE = { message: 'must be 32–512 characters (an operator-chosen client secret)' };

/**
 * Environment of `npm run seed`. docker-compose runs the seed as a one-shot service with exactly
 * these names. Required variables are marked optional so that an unset one is reported once, as
 * "is required", by loadSeedConfig.
 */
export class SeedEnv {
  /** Required. The auth-server's issuer URL (also where the seed reaches it). */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  @Matches(/^https?:\/\/[^/?#]+$/, { message: 'must be an origin (scheme://host[:port]) without path, query or trailing "/"' })
  AUTH_ISSUER: string;

  /** Required. The auth-server's bootstrap admin client (scope `admin` on the management API). */
  @IsOptional()
  @Matches(CLIENT_ID, CLIENT_ID_MESSAGE)
  BOOTSTRAP_ADMIN_CLIENT_ID: string;

  /** Required. The bootstrap admin's secret, as given to the auth-server. */
  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  BOOTSTRAP_ADMIN_CLIENT_SECRET: string;

  /** The CRM (service-b): the `aud` of its tokens. */
  @IsOptional()
  @Matches(RESOURCE_INDICATOR, RESOURCE_MESSAGE)
  CRM_RESOURCE: string = 'https://crm.tollgate.local';

  /** The IoT broker: the `aud` of device tokens. */
  @IsOptional()
  @Matches(RESOURCE_INDICATOR, RESOURCE_MESSAGE)
  IOT_RESOURCE: string = 'https://iot.tollgate.local';

  /** The email-marketing API (service-a): the `aud` of the tokens it accepts. */
  @IsOptional()
  @Matches(RESOURCE_INDICATOR, RESOURCE_MESSAGE)
  MARKETING_RESOURCE: string = 'https://marketing.tollgate.local';

  /** Client id of service-a (contacts:read on the CRM; the revocation feed on the management API). */
  @IsOptional()
  @Matches(CLIENT_ID, CLIENT_ID_MESSAGE)
  SERVICE_A_CLIENT_ID: string = 'service-a';

  /** Required. The secret of service-a's client (32–512 characters); the seed sets it. */
  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  SERVICE_A_CLIENT_SECRET: string;

  /** Client id of service-b (introspection, usage reports and the revocation feed on the management API). */
  @IsOptional()
  @Matches(CLIENT_ID, CLIENT_ID_MESSAGE)
  SERVICE_B_CLIENT_ID: string = 'service-b';

  /** Required. The secret of service-b's client (32–512 characters); the seed sets it. */
  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  SERVICE_B_CLIENT_SECRET: string;

  /** Client id of the broker (the revocation feed). */
  @IsOptional()
  @Matches(CLIENT_ID, CLIENT_ID_MESSAGE)
  IOT_BROKER_CLIENT_ID: string = 'iot-broker';

  /** Required. The secret of the broker's client (32–512 characters); the seed sets it. */
  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  IOT_BROKER_CLIENT_SECRET: string;

  /** Client id of the thermostat (a device; also its MQTT client id). */
  @IsOptional()
  @Matches(CLIENT_ID, CLIENT_ID_MESSAGE)
  THERMOSTAT_CLIENT_ID: string = 'thermostat-1';

  /** Required. The secret of the thermostat's client (32–512 characters); the seed sets it. */
  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  THERMOSTAT_CLIENT_SECRET: string;

  /** Client id of the home hub (a device allowed to command the thermostat). */
  @IsOptional()
  @Matches(CLIENT_ID, CLIENT_ID_MESSAGE)
  HUB_CLIENT_ID: string = 'hub-1';

  /** Required. The secret of the hub's client (32–512 characters); the seed sets it. */
  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  HUB_CLIENT_SECRET: string;

  /** How long to wait for the auth-server to answer /health before giving up. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(600)
  SEED_WAIT_SECONDS: number = 60;
}
