import { ConfigError, type Environment, loadEnv, readConfigFile } from '@tollgate/platform';
import { HeatingSchedule } from '../hub/heating-schedule.js';
import { DevicesEnv } from './devices.env.js';

export interface DeviceIdentity {
  clientId: string;
  /** For client_secret_basic / client_secret_post. */
  clientSecret?: string;
  /** For private_key_jwt: the device's key file (created, and the device paired, on the first start). */
  keyFile?: string;
  issuer: string;
  /** Where the auth-server is reached when the issuer URL does not resolve here (AUTH_INTERNAL_URL). */
  internalUrl?: string;
  /** One or more brokers (a cluster); the first is tried first. */
  brokerUrls: string[];
  brokerResource: string;
  tokenScope?: string;
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  tokenRefreshSkewSeconds: number;
  keepaliveSeconds: number;
  reconnect: { minDelayMs: number; maxDelayMs: number };
  /** TLS: the device's certificate (its tokens are then bound to it, RFC 8705) and the CAs it trusts. */
  tls?: { cert?: string; key?: string; ca?: string };
}

export interface ThermostatSettings {
  tickMs: number;
  simulatedSecondsPerTick: number;
  telemetryIntervalMs: number;
  initialTemperature: number;
  outsideTemperature: number;
  initialSetpoint: number;
}

export interface HubSettings {
  thermostatId: string;
  schedule: HeatingSchedule;
  reconcileIntervalMs: number;
  ackTimeoutMs: number;
  commandTtlSeconds: number;
}

interface CommonConfig {
  device: DeviceIdentity;
  host: string;
  healthPort: number;
  logLevel: string;
}

export type DevicesConfig = CommonConfig &
  ({ role: 'thermostat'; thermostat: ThermostatSettings } | { role: 'hub'; hub: HubSettings });

const DEFAULT_HEALTH_PORT = { thermostat: 7886, hub: 7887 };

/** Reads and validates a device's configuration; throws one ConfigError naming every bad variable. */
export function loadDevicesConfig(env: Environment = process.env): DevicesConfig {
  const values = loadEnv(DevicesEnv, env);
  const problems: string[] = [];
  if (values.RECONNECT_MIN_DELAY_MS > values.RECONNECT_MAX_DELAY_MS)
    problems.push('RECONNECT_MIN_DELAY_MS: must not exceed RECONNECT_MAX_DELAY_MS');
  let schedule: HeatingSchedule | undefined;
  if (values.DEVICE_ROLE === 'hub') {
    try {
      schedule = HeatingSchedule.parse(values.HUB_SCHEDULE, values.HUB_TIME_ZONE);
    } catch (error) {
      const variable = error instanceof RangeError ? 'HUB_TIME_ZONE' : 'HUB_SCHEDULE';
      problems.push(`${variable}: ${(error as Error).message}`);
    }
  }
  if (Boolean(values.TLS_CERT_FILE) !== Boolean(values.TLS_KEY_FILE))
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both (the certificate and its key) or neither');
  const tls = {
    cert: readConfigFile('TLS_CERT_FILE', values.TLS_CERT_FILE, problems),
    key: readConfigFile('TLS_KEY_FILE', values.TLS_KEY_FILE, problems),
    ca: readConfigFile('TLS_CA_FILE', values.TLS_CA_FILE, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);

  const common: CommonConfig = {
    device: {
      clientId: values.CLIENT_ID,
      clientSecret: values.CLIENT_SECRET,
      keyFile: values.DEVICE_KEY_FILE,
      issuer: values.AUTH_ISSUER,
      internalUrl: values.AUTH_INTERNAL_URL,
      brokerUrls: values.BROKER_URL.split(','),
      brokerResource: values.BROKER_RESOURCE,
      tokenScope: values.TOKEN_SCOPE,
      tokenAuthMethod: values.TOKEN_AUTH_METHOD,
      tokenRefreshSkewSeconds: values.TOKEN_REFRESH_SKEW_SECONDS,
      keepaliveSeconds: values.MQTT_KEEPALIVE_SECONDS,
      reconnect: { minDelayMs: values.RECONNECT_MIN_DELAY_MS, maxDelayMs: values.RECONNECT_MAX_DELAY_MS },
      ...((tls.cert || tls.ca) && { tls }),
    },
    host: values.HOST,
    healthPort: values.HEALTH_PORT ?? DEFAULT_HEALTH_PORT[values.DEVICE_ROLE],
    logLevel: values.LOG_LEVEL,
  };
  if (values.DEVICE_ROLE === 'hub') {
    return {
      ...common,
      role: 'hub',
      hub: {
        thermostatId: values.HUB_THERMOSTAT_ID!,
        schedule: schedule!,
        reconcileIntervalMs: values.HUB_RECONCILE_INTERVAL_MS,
        ackTimeoutMs: values.HUB_ACK_TIMEOUT_MS,
        commandTtlSeconds: values.HUB_COMMAND_TTL_SECONDS,
      },
    };
  }
  return {
    ...common,
    role: 'thermostat',
    thermostat: {
      tickMs: values.THERMOSTAT_TICK_MS,
      simulatedSecondsPerTick: values.THERMOSTAT_SIMULATED_SECONDS_PER_TICK,
      telemetryIntervalMs: values.THERMOSTAT_TELEMETRY_INTERVAL_MS,
      initialTemperature: values.THERMOSTAT_INITIAL_TEMPERATURE,
      outsideTemperature: values.THERMOSTAT_OUTSIDE_TEMPERATURE,
      initialSetpoint: values.THERMOSTAT_INITIAL_SETPOINT,
    },
  };
}
