import {
  composeEnv,
  IntegerFrom,
  IsFlag,
  IsPort,
  MetricsEnv,
  NumberFrom,
  ProcessEnv,
  RedisEnv,
  ResourceServerEnv,
} from '@tollgate/platform';
import { IsIn, IsOptional, IsString } from 'class-validator';

/**
 * Environment variables the IoT broker accepts.
 *
 * @property AUTH_ISSUER The auth-server's issuer URL; its RFC 8414 metadata names the JWKS that signs device tokens.
 * @property RESOURCE_INDICATOR This broker's RFC 8707 resource indicator: the `aud` its tokens must carry.
 * @property CLIENT_ID The broker's own client at the auth-server, granted `revocations:read` and `usage:write` on the
 * management API: it follows the revocation feed and closes revoked sessions at once, and reports CONNECTs refused
 * with a valid token (another device's, another certificate's) to the audit log. Without it, sessions end at their
 * token's expiry.
 * @property REDIS_URL Several brokers as one (scaled mode): subscriptions, retained messages and offline sessions in
 * Redis (aedes-persistence-redis), messages between brokers over Redis (mqemitter-redis).
 * @property HOST Address both listeners (MQTT over TCP and over WebSocket) bind to; `0.0.0.0` in a container.
 */
export class IotBrokerEnv extends composeEnv(
  ResourceServerEnv({ resourceIndicator: 'https://iot.tollgate.local', client: { required: false } }),
  RedisEnv(),
  ProcessEnv(),
  MetricsEnv(),
) {
  /** MQTT over TCP. */
  @IsOptional() @IsPort() MQTT_PORT: number = 7883;

  /** MQTT over WebSocket at /mqtt, and GET /health. */
  @IsOptional() @IsPort() MQTT_WS_PORT: number = 7884;

  /** MQTT over TLS (mqtts); off unless set. Needs TLS_CERT_FILE and TLS_KEY_FILE. */
  @IsOptional() @IsPort() MQTTS_PORT?: number;

  /** MQTT over WebSocket over TLS (wss) at /mqtt, and GET /health; off unless set. Needs TLS_CERT_FILE and TLS_KEY_FILE. */
  @IsOptional() @IsPort() MQTT_WSS_PORT?: number;

  /** The broker's TLS certificate (PEM, chain included) for MQTTS_PORT and MQTT_WSS_PORT. */
  @IsOptional() @IsString() TLS_CERT_FILE?: string;

  /** Its private key (PEM). */
  @IsOptional() @IsString() TLS_KEY_FILE?: string;

  /** CA certificates (PEM) that device certificates must chain to; without it any client certificate is taken as presented. */
  @IsOptional() @IsString() TLS_CLIENT_CA_FILE?: string;

  /** `required`: no TLS connection (mqtts or wss) without a client certificate from TLS_CLIENT_CA_FILE; `optional`: one is asked for. */
  @IsOptional() @IsIn(['optional', 'required']) TLS_CLIENT_CERTIFICATE: 'optional' | 'required' = 'optional';

  /** Largest MQTT packet accepted, in bytes (fixed header included); a larger one closes the connection. */
  @IsOptional() @IntegerFrom(1024, 268_435_460) MAX_PACKET_SIZE: number = 65_536;

  /** Time a new connection has to send CONNECT. */
  @IsOptional() @IntegerFrom(100, 300_000) CONNECT_TIMEOUT_MS: number = 10_000;

  /** Largest keepalive a client may ask for, in seconds; a keepalive of 0 (none) is refused too. */
  @IsOptional() @IntegerFrom(1, 65_535) KEEPALIVE_LIMIT_SECONDS: number = 1200;

  /** New connections accepted per second from one address, on average (a token bucket). */
  @IsOptional() @NumberFrom(0.01) CONNECTION_RATE_PER_SECOND: number = 10;

  /** New connections accepted from one address in a burst (the bucket's size). */
  @IsOptional() @IntegerFrom(1) CONNECTION_BURST: number = 20;

  /** Open connections across both listeners, each. */
  @IsOptional() @IntegerFrom(1) MAX_CONNECTIONS: number = 10_000;

  /** Topic levels allowed in a name or filter (aedes caps it at 100). */
  @IsOptional() @IntegerFrom(4, 100) MAX_TOPIC_LEVELS: number = 16;

  /** Packets a client may send before its CONNECT is answered. */
  @IsOptional() @IntegerFrom(1, 10_000) QUEUE_LIMIT: number = 42;

  /** A client that does not read its socket for this long is disconnected. */
  @IsOptional() @IntegerFrom(100) DRAIN_TIMEOUT_MS: number = 30_000;

  /**
   * Bytes that may wait in the broker for a subscriber that reads slowly. Past this, its QoS 0
   * messages are dropped (counted in GET /health, logged once per episode) rather than holding up
   * the publishers; QoS 1 messages still wait, up to DRAIN_TIMEOUT_MS.
   */
  @IsOptional() @IntegerFrom(16_384) QOS0_BACKLOG_BYTES: number = 262_144;

  /**
   * PUBLISH packets per second one connection of a device may send (its token's `client_kind` is
   * `device`, or absent); a second's worth may come at once. Past it, the broker stops reading the
   * connection until the budget allows (nothing is dropped; logged once per episode, counted in
   * GET /health). The default is AWS IoT Core's per-connection limit.
   */
  @IsOptional() @NumberFrom(1) DEVICE_PUBLISH_MESSAGES_PER_SECOND: number = 100;

  /** Payload bytes per second one connection of a device may publish, as above. */
  @IsOptional() @IntegerFrom(1024) DEVICE_PUBLISH_BYTES_PER_SECOND: number = 524_288;

  /** PUBLISH packets per second one connection of a service (`client_kind` `service`) may send, as for devices. */
  @IsOptional() @NumberFrom(1) SERVICE_PUBLISH_MESSAGES_PER_SECOND: number = 1000;

  /** Payload bytes per second one connection of a service may publish. */
  @IsOptional() @IntegerFrom(1024) SERVICE_PUBLISH_BYTES_PER_SECOND: number = 4_194_304;

  /** List connected device ids in GET /health (off: the endpoint is unauthenticated). */
  @IsOptional() @IsFlag() HEALTH_SHOW_DEVICES: boolean = false;
}
