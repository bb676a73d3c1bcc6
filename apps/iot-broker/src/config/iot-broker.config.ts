import { ConfigError, type Environment, loadEnv } from '@tollgate/platform';
import type { PublishRate } from '../hardening/publish-budget.js';
import type { ClientKind } from '../sessions/device-session.js';
import { IotBrokerEnv } from './iot-broker.env.js';

export interface IotBrokerConfig {
  issuer: string;
  /** RFC 8707 indicator of the broker: the `aud` of device tokens. */
  resourceIndicator: string;
  /** The broker's own client, for the revocation feed. */
  client?: { id: string; secret: string };
  /** Scaled mode: brokers share sessions, subscriptions and retained messages through Redis. */
  redisUrl?: string;
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
    qos0BacklogBytes: number;
    publishRates: Record<ClientKind, PublishRate>;
  };
  healthShowsDevices: boolean;
}

/** Reads and validates the broker's configuration; throws one ConfigError naming every bad variable. */
export function loadIotBrokerConfig(env: Environment = process.env): IotBrokerConfig {
  const values = loadEnv(IotBrokerEnv, env);
  const problems: string[] = [];
  if (values.MQTT_PORT !== 0 && values.MQTT_PORT === values.MQTT_WS_PORT)
    problems.push(`MQTT_PORT and MQTT_WS_PORT: must differ (both ${values.MQTT_PORT})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    issuer: values.AUTH_ISSUER,
    resourceIndicator: values.RESOURCE_INDICATOR,
    client: values.CLIENT_ID ? { id: values.CLIENT_ID, secret: values.CLIENT_SECRET! } : undefined,
    redisUrl: values.REDIS_URL,
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
      qos0BacklogBytes: values.QOS0_BACKLOG_BYTES,
      publishRates: {
        device: {
          messagesPerSecond: values.DEVICE_PUBLISH_MESSAGES_PER_SECOND,
          bytesPerSecond: values.DEVICE_PUBLISH_BYTES_PER_SECOND,
        },
        service: {
          messagesPerSecond: values.SERVICE_PUBLISH_MESSAGES_PER_SECOND,
          bytesPerSecond: values.SERVICE_PUBLISH_BYTES_PER_SECOND,
        },
      },
    },
    healthShowsDevices: values.HEALTH_SHOW_DEVICES,
  };
}
