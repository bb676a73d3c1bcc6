import { ConfigError, type Environment, loadEnv } from '@tollgate/platform';
import { IotBrokerEnv } from './iot-broker.env.js';

export interface IotBrokerConfig {
  issuer: string;
  /** RFC 8707 indicator of the broker: the `aud` of device tokens. */
  resourceIndicator: string;
  host: string;
  mqttPort: number;
  wsPort: number;
  logLevel: string;
  limits: {
    maxPacketSize: number;
    connectTimeoutMs: number;
    keepaliveLimitSeconds: number;
    connectionRatePerSecond: number;
    connectionBurst: number;
    maxConnections: number;
    maxTopicLevels: number;
    queueLimit: number;
    drainTimeoutMs: number;
  };
  healthShowsDevices: boolean;
}

/** Reads and validates the broker's configuration; throws one ConfigError naming every bad variable. */
export function loadIotBrokerConfig(env: Environment = process.env): IotBrokerConfig {
  const values = loadEnv(IotBrokerEnv, env);
  if (values.MQTT_PORT !== 0 && values.MQTT_PORT === values.MQTT_WS_PORT) {
    throw new ConfigError([`MQTT_PORT and MQTT_WS_PORT: must differ (both ${values.MQTT_PORT})`]);
  }
  return {
    issuer: values.AUTH_ISSUER,
    resourceIndicator: values.RESOURCE_INDICATOR,
    host: values.HOST,
    mqttPort: values.MQTT_PORT,
    wsPort: values.MQTT_WS_PORT,
    logLevel: values.LOG_LEVEL,
    limits: {
      maxPacketSize: values.MAX_PACKET_SIZE,
      connectTimeoutMs: values.CONNECT_TIMEOUT_MS,
      keepaliveLimitSeconds: values.KEEPALIVE_LIMIT_SECONDS,
      connectionRatePerSecond: values.CONNECTION_RATE_PER_SECOND,
      connectionBurst: values.CONNECTION_BURST,
      maxConnections: values.MAX_CONNECTIONS,
      maxTopicLevels: values.MAX_TOPIC_LEVELS,
      queueLimit: values.QUEUE_LIMIT,
      drainTimeoutMs: values.DRAIN_TIMEOUT_MS,
    },
    healthShowsDevices: values.HEALTH_SHOW_DEVICES,
  };
}
