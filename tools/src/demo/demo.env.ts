import { IsClientId, IsClientSecret, IsFixedPort } from '@tollgate/platform';
import { IsIn, IsOptional, IsString } from 'class-validator';

/**
 * Environment of `npm run demo`. Ports default to Tollgate's (clear of PostgreSQL, Redis, Mosquitto
 * and friends); secrets are generated once into DEMO_DATA_DIR/secrets.json unless given here.
 */
export class DemoEnv {
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

  /** The thermostat's /health port. */
  @IsOptional() @IsFixedPort() THERMOSTAT_HEALTH_PORT: number = 7886;

  /** The hub's /health port. */
  @IsOptional() @IsFixedPort() HUB_HEALTH_PORT: number = 7887;

  /** The /health port of thermostat-3, the thermostat that pairs itself during the demo. */
  @IsOptional() @IsFixedPort() NEW_THERMOSTAT_HEALTH_PORT: number = 7888;

  /** Databases (SQLite), logs and the generated secrets of the demo. */
  @IsOptional() @IsString() DEMO_DATA_DIR: string = 'data/demo';

  /** Log level of every service (their logs go to DEMO_DATA_DIR/logs). */
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace']) DEMO_LOG_LEVEL: string = 'info';

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
