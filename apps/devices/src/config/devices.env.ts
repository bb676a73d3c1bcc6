import {
  composeEnv,
  IsClientSecret,
  IntegerFrom,
  IsPort,
  IsResourceIndicator,
  IssuerEnv,
  NumberFrom,
  ProcessEnv,
  Required,
} from '@tollgate/platform';
import { IsIn, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DEVICE_ID_MESSAGE = { message: 'must be 1–64 characters of letters, digits, . _ -' };

/**
 * Environment variables of a device (one app, two roles: a thermostat or a home hub).
 *
 * @property CLIENT_ID The device's OAuth client id: also its MQTT client id and the `{id}` of its topics.
 * @property HOST Address the health endpoint listens on.
 */
export class DevicesEnv extends composeEnv(IssuerEnv(), ProcessEnv()) {
  @Required() @IsIn(['thermostat', 'hub']) DEVICE_ROLE!: 'thermostat' | 'hub';

  /** The device's client id at the auth-server: also its MQTT client id and the `{id}` of its topics. */
  @Required() @Matches(DEVICE_ID, DEVICE_ID_MESSAGE) CLIENT_ID!: string;

  /** The secret of `CLIENT_ID` (client_secret_basic / client_secret_post); a device with a key has none. */
  @ValidateIf((env: DevicesEnv) => env.TOKEN_AUTH_METHOD !== 'private_key_jwt')
  @Required()
  @IsClientSecret()
  CLIENT_SECRET?: string;

  /**
   * How the device authenticates at the token endpoint (RFC 6749 §2.3.1): with its secret, or with a
   * key (`private_key_jwt`, RFC 7523) kept in DEVICE_KEY_FILE. A device with a key and no registration
   * pairs itself first: it shows a code (log and /health) that an admin approves in the console.
   */
  @IsOptional() @IsIn(['client_secret_basic', 'client_secret_post', 'private_key_jwt']) TOKEN_AUTH_METHOD:
    'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' = 'client_secret_basic';

  /** Where the device keeps its private key (private_key_jwt); generated, 0600, on the first start. */
  @ValidateIf((env: DevicesEnv) => env.TOKEN_AUTH_METHOD === 'private_key_jwt')
  @Required()
  @IsString()
  DEVICE_KEY_FILE?: string;

  /** Scopes to request; the client's grants on the broker when unset. */
  @IsOptional()
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, {
    message: 'must be space-separated scope tokens (RFC 6749 §3.3)',
  })
  TOKEN_SCOPE?: string;

  /** A token is replaced this long before it expires, and the MQTT session reconnected with it. */
  @IsOptional() @IntegerFrom(0, 3600) TOKEN_REFRESH_SKEW_SECONDS: number = 60;

  /** The broker, or several comma-separated brokers of one cluster: the device moves to the next when one is lost. */
  @IsOptional()
  @Matches(/^(mqtts?|wss?):\/\/[^\s/,]+(\/[^\s,]*)?(,(mqtts?|wss?):\/\/[^\s/,]+(\/[^\s,]*)?)*$/, {
    message: 'must be one or more comma-separated mqtt://, mqtts://, ws:// or wss:// URLs',
  })
  BROKER_URL: string = 'mqtt://127.0.0.1:7883';

  /**
   * The device's TLS client certificate (PEM): presented to an mqtts:// broker and at the
   * auth-server's mTLS endpoint, whose tokens are then bound to it (RFC 8705). Needs TLS_KEY_FILE.
   */
  @IsOptional() @IsString() TLS_CERT_FILE?: string;

  /** Its private key (PEM). */
  @IsOptional() @IsString() TLS_KEY_FILE?: string;

  /** CA certificates (PEM) the broker's and the mTLS endpoint's certificates chain to (default: the system's). */
  @IsOptional() @IsString() TLS_CA_FILE?: string;

  /** The broker's RFC 8707 resource indicator, asked for at the token endpoint. */
  @IsOptional() @IsResourceIndicator() BROKER_RESOURCE: string = 'https://iot.tollgate.local';

  @IsOptional() @IntegerFrom(5, 1200) MQTT_KEEPALIVE_SECONDS: number = 30;

  @IsOptional() @IntegerFrom(10) RECONNECT_MIN_DELAY_MS: number = 500;

  @IsOptional() @IntegerFrom(10) RECONNECT_MAX_DELAY_MS: number = 30_000;

  /** GET /health; default 7886 for a thermostat, 7887 for a hub; 0 picks a free port. */
  @IsOptional() @IsPort() HEALTH_PORT?: number;

  // Thermostat

  /** Real time between two steps of the room simulation. */
  @IsOptional() @IntegerFrom(5) THERMOSTAT_TICK_MS: number = 1000;

  /** Room time simulated per step (60: one real second is one minute in the room). */
  @IsOptional() @NumberFrom(0.1, 3600) THERMOSTAT_SIMULATED_SECONDS_PER_TICK: number = 60;

  @IsOptional() @IntegerFrom(10) THERMOSTAT_TELEMETRY_INTERVAL_MS: number = 5000;

  @IsOptional() @NumberFrom(-30, 45) THERMOSTAT_INITIAL_TEMPERATURE: number = 18;

  @IsOptional() @NumberFrom(-40, 45) THERMOSTAT_OUTSIDE_TEMPERATURE: number = 5;

  @IsOptional() @NumberFrom(5, 30) THERMOSTAT_INITIAL_SETPOINT: number = 19;

  // Hub

  /** The thermostat the hub drives (its client id). */
  @ValidateIf((env: DevicesEnv) => env.DEVICE_ROLE === 'hub')
  @Required()
  @Matches(DEVICE_ID, DEVICE_ID_MESSAGE)
  HUB_THERMOSTAT_ID?: string;

  /** The user's preferences: `HH:MM=<°C>|off`, comma-separated; each holds until the next. */
  @IsOptional() @IsString() HUB_SCHEDULE: string = '06:30=21,22:00=17';

  /** IANA time zone of the schedule; the host's when unset. */
  @IsOptional() @IsString() HUB_TIME_ZONE?: string;

  /** How often the hub compares the thermostat with the schedule. */
  @IsOptional() @IntegerFrom(10) HUB_RECONCILE_INTERVAL_MS: number = 30_000;

  /** A command not acknowledged in this time is sent again (with a new id). */
  @IsOptional() @IntegerFrom(10) HUB_ACK_TIMEOUT_MS: number = 10_000;

  /** A command older than this is refused by the thermostat (it may have waited in a queue). */
  @IsOptional() @IntegerFrom(1) HUB_COMMAND_TTL_SECONDS: number = 600;
}
