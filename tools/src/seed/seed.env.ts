import {
  composeEnv,
  IntegerFrom,
  IsClientId,
  IsClientSecret,
  IssuerEnv,
  IsResourceIndicator,
  Required,
} from '@tollgate/platform';
import { IsEmail, IsOptional, IsString, Length, Matches } from 'class-validator';

// The management API's client-id rule, which also makes every id a valid MQTT device id.
const CLIENT_ID = /^[A-Za-z0-9._-]{3,64}$/;
const CLIENT_ID_MESSAGE = { message: 'must be 3–64 characters of letters, digits, . _ -' };

/**
 * Environment of `npm run seed`. docker-compose runs the seed as a one-shot service with exactly
 * these names.
 *
 * @property AUTH_ISSUER The auth-server's issuer URL (also where the seed reaches it, unless AUTH_INTERNAL_URL says otherwise).
 */
export class SeedEnv extends composeEnv(IssuerEnv()) {
  /** The auth-server's bootstrap admin client (scope `admin` on the management API). */
  @Required() @IsClientId() BOOTSTRAP_ADMIN_CLIENT_ID: string;

  /** The bootstrap admin's secret, as given to the auth-server. */
  @Required() @IsClientSecret() BOOTSTRAP_ADMIN_CLIENT_SECRET: string;

  /** The CRM (service-b): the `aud` of its tokens. */
  @IsOptional() @IsResourceIndicator() CRM_RESOURCE: string = 'https://crm.tollgate.local';

  /** The IoT broker: the `aud` of device tokens. */
  @IsOptional() @IsResourceIndicator() IOT_RESOURCE: string = 'https://iot.tollgate.local';

  /** The email-marketing API (service-a): the `aud` of the tokens it accepts. */
  @IsOptional() @IsResourceIndicator() MARKETING_RESOURCE: string = 'https://marketing.tollgate.local';

  /** Client id of service-a (contacts:read on the CRM; the revocation feed on the management API). */
  @IsOptional() @Matches(CLIENT_ID, CLIENT_ID_MESSAGE) SERVICE_A_CLIENT_ID: string = 'service-a';

  /** The secret of service-a's client; the seed sets it. */
  @Required() @IsClientSecret() SERVICE_A_CLIENT_SECRET: string;

  /** Client id of service-b (introspection, usage reports and the revocation feed on the management API). */
  @IsOptional() @Matches(CLIENT_ID, CLIENT_ID_MESSAGE) SERVICE_B_CLIENT_ID: string = 'service-b';

  /** The secret of service-b's client; the seed sets it. */
  @Required() @IsClientSecret() SERVICE_B_CLIENT_SECRET: string;

  /** Client id of the broker (the revocation feed). */
  @IsOptional() @Matches(CLIENT_ID, CLIENT_ID_MESSAGE) IOT_BROKER_CLIENT_ID: string = 'iot-broker';

  /** The secret of the broker's client; the seed sets it. */
  @Required() @IsClientSecret() IOT_BROKER_CLIENT_SECRET: string;

  /** Client id of the thermostat (a device; also its MQTT client id). */
  @IsOptional() @Matches(CLIENT_ID, CLIENT_ID_MESSAGE) THERMOSTAT_CLIENT_ID: string = 'thermostat-1';

  /** The secret of the thermostat's client; the seed sets it. */
  @Required() @IsClientSecret() THERMOSTAT_CLIENT_SECRET: string;

  /** Client id of the home hub (a device allowed to command the thermostat). */
  @IsOptional() @Matches(CLIENT_ID, CLIENT_ID_MESSAGE) HUB_CLIENT_ID: string = 'hub-1';

  /** The secret of the hub's client; the seed sets it. */
  @Required() @IsClientSecret() HUB_CLIENT_SECRET: string;

  /** The person who signs in to the web console as an administrator (role `admin`); created with CONSOLE_ADMIN_PASSWORD when that is set. */
  @IsOptional() @IsEmail({}, { message: 'must be an email address' }) CONSOLE_ADMIN_EMAIL: string =
    'admin@tollgate.local';

  /** Their first password (12–256 characters); an existing person's password is never changed. Unset: no console admin is created. */
  @IsOptional() @IsString() @Length(12, 256, { message: 'must be 12–256 characters' }) CONSOLE_ADMIN_PASSWORD?: string;

  /** How long to wait for the auth-server to answer /health before giving up. */
  @IsOptional() @IntegerFrom(1, 600) SEED_WAIT_SECONDS: number = 60;
}
