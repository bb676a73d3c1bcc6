import { ConfigError, type Environment, loadEnv, metricsSettings, readConfigFile } from '@tollgate/platform';
import type { PublishRate } from '../hardening/publish-budget.js';
import type { ClientKind } from '../sessions/device-session.js';
import type { TlsSettings } from '../transport/tls-listener.js';
import { IotBrokerEnv } from './iot-broker.env.js';

export interface IotBrokerConfig {
  issuer: string;
  /** Where the auth-server is reached when the issuer URL does not resolve here (AUTH_INTERNAL_URL). */
  internalUrl?: string;
  /** RFC 8707 indicator of the broker: the `aud` of device tokens. */
  resourceIndicator: string;
  /** The broker's own client, for the revocation feed. */
  client?: { id: string; secret: string };
  /** Scaled mode: brokers share sessions, subscriptions and retained messages through Redis. */
  redisUrl?: string;
  host: string;
  mqttPort: number;
  wsPort: number;
  /** MQTT over TLS (mqtts) and over WebSocket over TLS (wss), each when its port is set. */
  tls?: { mqttsPort?: number; wssPort?: number } & TlsSettings;
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
  /** `GET /metrics` on a port of its own, when METRICS_PORT is set. */
  metrics?: { port: number; host: string };
}

/** Reads and validates the broker's configuration; throws one ConfigError naming every bad variable. */
export function loadIotBrokerConfig(env: Environment = process.env): IotBrokerConfig {
  const values = loadEnv(IotBrokerEnv, env);
  const problems: string[] = [];
  let tls: IotBrokerConfig['tls'];
  if (values.MQTTS_PORT !== undefined || values.MQTT_WSS_PORT !== undefined) {
    const ports = values.MQTTS_PORT !== undefined ? 'MQTTS_PORT' : 'MQTT_WSS_PORT';
    if (!values.TLS_CERT_FILE || !values.TLS_KEY_FILE)
      problems.push(`${ports}: set TLS_CERT_FILE and TLS_KEY_FILE too (the broker’s certificate and key)`);
    if (values.TLS_CLIENT_CERTIFICATE === 'required' && !values.TLS_CLIENT_CA_FILE)
      problems.push('TLS_CLIENT_CERTIFICATE: required needs TLS_CLIENT_CA_FILE (the CA device certificates come from)');
    const certificatePem = readConfigFile('TLS_CERT_FILE', values.TLS_CERT_FILE, problems);
    const privateKeyPem = readConfigFile('TLS_KEY_FILE', values.TLS_KEY_FILE, problems);
    const clientCaPem = readConfigFile('TLS_CLIENT_CA_FILE', values.TLS_CLIENT_CA_FILE, problems);
    if (certificatePem && privateKeyPem)
      tls = {
        mqttsPort: values.MQTTS_PORT,
        wssPort: values.MQTT_WSS_PORT,
        certificatePem,
        privateKeyPem,
        clientCaPem,
        clientCertificate: values.TLS_CLIENT_CERTIFICATE,
      };
  }
  const ports = Object.entries({
    MQTT_PORT: values.MQTT_PORT,
    MQTT_WS_PORT: values.MQTT_WS_PORT,
    MQTTS_PORT: values.MQTTS_PORT,
    MQTT_WSS_PORT: values.MQTT_WSS_PORT,
  }).filter(([, port]) => port !== undefined && port !== 0);
  for (const [index, [name, port]] of ports.entries())
    for (const [other, otherPort] of ports.slice(index + 1))
      if (port === otherPort) problems.push(`${name} and ${other}: must differ (both ${port})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    issuer: values.AUTH_ISSUER,
    internalUrl: values.AUTH_INTERNAL_URL,
    resourceIndicator: values.RESOURCE_INDICATOR,
    client: values.CLIENT_ID ? { id: values.CLIENT_ID, secret: values.CLIENT_SECRET! } : undefined,
    redisUrl: values.REDIS_URL,
    host: values.HOST,
    mqttPort: values.MQTT_PORT,
    wsPort: values.MQTT_WS_PORT,
    tls,
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
    metrics: metricsSettings(values),
  };
}
