import {
  composeEnv,
  type EnvClass,
  IsClientId,
  IsClientSecret,
  IsFixedPort,
  IsHttpUrl,
  IssuerEnv,
  Required,
} from '@tollgate/platform';
import { IsEmail, IsIn, IsOptional, IsString, Matches } from 'class-validator';

/** The /health ports of the devices the IoT story starts (each device process serves one). */
function DeviceHealthEnv() {
  return (Base: EnvClass) => {
    class DeviceHealthEnv extends Base {
      /** The thermostat's /health port. */
      @IsOptional() @IsFixedPort() THERMOSTAT_HEALTH_PORT: number = 7886;

      /** The hub's /health port. */
      @IsOptional() @IsFixedPort() HUB_HEALTH_PORT: number = 7887;

      /** The /health port of thermostat-3, the thermostat that pairs itself during the demo. */
      @IsOptional() @IsFixedPort() NEW_THERMOSTAT_HEALTH_PORT: number = 7888;
    }
    return DeviceHealthEnv;
  };
}

/** Where the demo keeps its files, and how much its services log. */
function DemoFilesEnv(defaults: { dataDir: string; logs: string }) {
  return (Base: EnvClass) => {
    class DemoFilesEnv extends Base {
      /** Logs of the services the demo starts, and its other files (thermostat-3's key). */
      @IsOptional() @IsString() DEMO_DATA_DIR: string = defaults.dataDir;

      /** Log level of every service the demo starts (their logs go to DEMO_DATA_DIR/logs). */
      @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace']) DEMO_LOG_LEVEL: string = defaults.logs;
    }
    return DemoFilesEnv;
  };
}

/**
 * Environment of `npm run demo`. Ports default to Tollgate's (clear of PostgreSQL, Redis, Mosquitto
 * and friends); secrets are generated once into DEMO_DATA_DIR/secrets.json unless given here.
 *
 * @property DEMO_DATA_DIR Databases (SQLite), logs and the generated secrets of the demo.
 */
export class DemoEnv extends composeEnv(DeviceHealthEnv(), DemoFilesEnv({ dataDir: 'data/demo', logs: 'info' })) {
  /** The demo auth-server's port. */
  @IsOptional() @IsFixedPort() AUTH_SERVER_PORT: number = 7400;

  /** service-b's port. */
  @IsOptional() @IsFixedPort() SERVICE_B_PORT: number = 7401;

  /** service-a's port. */
  @IsOptional() @IsFixedPort() SERVICE_A_PORT: number = 7402;

  /** The broker's MQTT (TCP) port. */
  @IsOptional() @IsFixedPort() MQTT_PORT: number = 7883;

  /** The broker's MQTT-over-WebSocket port (also its /health). */
  @IsOptional() @IsFixedPort() MQTT_WS_PORT: number = 7884;

  /** The broker's MQTT-over-TLS port (devices with client certificates). */
  @IsOptional() @IsFixedPort() MQTTS_PORT: number = 7885;

  /** The auth-server's mTLS token endpoint port (certificate-bound tokens, RFC 8705). */
  @IsOptional() @IsFixedPort() MTLS_PORT: number = 7403;

  /** The bootstrap admin client the demo's auth-server gets. */
  @IsOptional() @IsClientId() BOOTSTRAP_ADMIN_CLIENT_ID: string = 'admin';

  /** Its secret; generated into secrets.json when unset. */
  @IsOptional() @IsClientSecret() BOOTSTRAP_ADMIN_CLIENT_SECRET?: string;

  /** service-a's client secret; generated when unset. */
  @IsOptional() @IsClientSecret() SERVICE_A_CLIENT_SECRET?: string;

  /** service-b's client secret; generated when unset. */
  @IsOptional() @IsClientSecret() SERVICE_B_CLIENT_SECRET?: string;

  /** The broker's client secret; generated when unset. */
  @IsOptional() @IsClientSecret() IOT_BROKER_CLIENT_SECRET?: string;

  /** The thermostat's client secret; generated when unset. */
  @IsOptional() @IsClientSecret() THERMOSTAT_CLIENT_SECRET?: string;

  /** The hub's client secret; generated when unset. */
  @IsOptional() @IsClientSecret() HUB_CLIENT_SECRET?: string;
}

const MQTT_URL = /^mqtts?:\/\/[^/?#\s]+$/;

/**
 * Environment of `npm run demo:stack` (docker-compose's `demo` service): the same story, against a
 * Tollgate that is already running (the compose stack), found by its URLs. It starts only the devices
 * the story needs, and exits 0 only if every step passed.
 *
 * @property AUTH_ISSUER The stack's public issuer URL: the `iss` of its tokens (the compose file's AUTH_ISSUER).
 */
export class StackDemoEnv extends composeEnv(
  IssuerEnv(),
  DeviceHealthEnv(),
  DemoFilesEnv({ dataDir: '/tmp/tollgate-demo', logs: 'warn' }),
) {
  /** The bootstrap admin client the auth-server was started with. */
  @IsOptional() @IsClientId() BOOTSTRAP_ADMIN_CLIENT_ID: string = 'admin';

  /** Its secret (as given to the auth-server and the seed). */
  @Required() @IsClientSecret() BOOTSTRAP_ADMIN_CLIENT_SECRET!: string;

  /** service-a's client id (the story asks for a token as service-a does). */
  @IsOptional() @IsClientId() SERVICE_A_CLIENT_ID: string = 'service-a';

  /** service-a's client secret. */
  @Required() @IsClientSecret() SERVICE_A_CLIENT_SECRET!: string;

  /** The console administrator the seed created: the story signs in as them to approve a device's pairing. */
  @IsOptional() @IsEmail({}, { message: 'must be an email address' }) CONSOLE_ADMIN_EMAIL: string =
    'admin@tollgate.local';

  /** Their password. */
  @Required() @IsString() CONSOLE_ADMIN_PASSWORD!: string;

  /** The CRM (service-b). */
  @Required() @IsHttpUrl() SERVICE_B_URL!: string;

  /** The email-marketing service (service-a). */
  @Required() @IsHttpUrl() SERVICE_A_URL!: string;

  /** The broker's MQTT (TCP) listener. */
  @Required() @Matches(MQTT_URL, { message: 'must be an mqtt://host:port URL' }) BROKER_URL!: string;

  /** The broker's MQTT-over-TLS listener, where devices present certificates from the CA below. */
  @Required() @Matches(MQTT_URL, { message: 'must be an mqtts://host:port URL' }) BROKER_TLS_URL!: string;

  /** The broker's /health (it lists the connected devices). */
  @Required() @IsHttpUrl() BROKER_HEALTH_URL!: string;

  /** Where the auth-server's mTLS endpoint is reached (the metadata's `mtls_endpoint_aliases`, on this origin). */
  @Required() @IsHttpUrl() AUTH_MTLS_URL!: string;

  /** The CA certificate the broker trusts for device certificates (and that signed the servers' certificates). */
  @Required() @IsString() TLS_CA_CERT_FILE!: string;

  /** That CA's private key: the story issues device certificates with it. */
  @Required() @IsString() TLS_CA_KEY_FILE!: string;
}
