import { Aedes } from 'aedes';
import { createLogger, type Logger, Metrics, tracingStarted } from '@tollgate/platform';
import { ResourceServerVerification, type VerificationHealth } from '@tollgate/verifier';
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import { type AccessTokenVerifier, DeviceAuthenticator } from './auth/device-authenticator.js';
import { observeBroker } from './observability/broker-events.js';
import { BrokerMetrics } from './observability/broker-metrics.js';
import { BrokerTracing } from './observability/broker-tracing.js';
import { reportRefusal } from './auth/refusal-reports.js';
import { createBrokerHooks } from './broker/broker-hooks.js';
import { clusterOptions } from './broker/cluster.js';
import type { IotBrokerConfig } from './config/iot-broker.config.js';
import { ConnectionAdmission } from './hardening/connection-admission.js';
import { type PublishBudgetStats, PublishBudgets } from './hardening/publish-budget.js';
import { type SlowSubscriberStats, SlowSubscribers } from './hardening/slow-subscribers.js';
import { BrokerSessions } from './sessions/broker-sessions.js';
import { closeRevokedSessions } from './sessions/revoked-sessions.js';
import { createHttpListener, WEBSOCKET_PATH } from './transport/http-listener.js';
import { listenOn } from './transport/listen.js';
import { createTcpListener } from './transport/tcp-listener.js';
import { createTlsListener } from './transport/tls-listener.js';

export interface IotBrokerOptions {
  logger?: Logger;
  /** Replaces the verifier built from the configuration (tests with their own issuer). */
  verifier?: AccessTokenVerifier;
  /** Where its Prometheus series go (main.ts serves them at METRICS_PORT); a registry of its own by default. */
  metrics?: Metrics;
}

export interface IotBrokerAddresses {
  mqttUrl: string;
  wsUrl: string;
  healthUrl: string;
  mqttPort: number;
  wsPort: number;
  /** MQTT over TLS, when MQTTS_PORT is set. */
  mqttsUrl?: string;
  mqttsPort?: number;
  /** MQTT over WebSocket over TLS, when MQTT_WSS_PORT is set. */
  wssUrl?: string;
  wssPort?: number;
}

export interface BrokerHealth {
  status: 'ok' | 'closing';
  connectedDevices: number;
  devices?: string[];
  revocationFeed: VerificationHealth['revocationFeed'];
  publishBudget: PublishBudgetStats;
  slowSubscribers: SlowSubscriberStats;
}

/** What keeps one client from holding up the others: publish budgets and bounded QoS 0 backlogs. */
export interface BrokerFairness {
  publishBudgets: PublishBudgets;
  slowSubscribers: SlowSubscribers;
}

/**
 * The IoT broker: aedes with token-authenticated sessions, over TCP and WebSocket. `sessions`
 * is the handle the revocation feed uses (`sessions.closeWhere(predicate, reason)`).
 */
export class IotBroker {
  private closing = false;
  private readonly tcp: Server;
  private readonly tls?: Server;
  private readonly http: HttpServer;
  private readonly https?: HttpServer;

  constructor(
    private readonly config: IotBrokerConfig,
    private readonly aedes: Aedes,
    readonly sessions: BrokerSessions,
    private readonly fairness: BrokerFairness,
    private readonly logger: Logger,
    private readonly verification?: ResourceServerVerification,
  ) {
    const { limits } = config;
    const admission = new ConnectionAdmission(
      { ratePerSecond: limits.connectionRatePerSecond, burst: limits.connectionBurst },
      logger,
    );
    const listener = {
      aedes,
      admission,
      maxPacketSize: limits.maxPacketSize,
      maxConnections: limits.maxConnections,
      logger,
    };
    this.tcp = createTcpListener(listener);
    if (config.tls?.mqttsPort !== undefined) this.tls = createTlsListener(listener, config.tls);
    const web = { ...listener, connectTimeoutMs: limits.connectTimeoutMs, health: () => this.health() };
    this.http = createHttpListener(web);
    if (config.tls?.wssPort !== undefined) this.https = createHttpListener({ ...web, tls: config.tls });
  }

  async listen(): Promise<IotBrokerAddresses> {
    const { host } = this.config;
    let mqttPort: number;
    let wsPort: number;
    let mqttsPort: number | undefined;
    let wssPort: number | undefined;
    const tls = this.config.tls;
    try {
      mqttPort = await listenOn(this.tcp, { port: this.config.mqttPort, host, portVariable: 'MQTT_PORT' });
      wsPort = await listenOn(this.http, { port: this.config.wsPort, host, portVariable: 'MQTT_WS_PORT' });
      if (this.tls && tls?.mqttsPort !== undefined)
        mqttsPort = await listenOn(this.tls, { port: tls.mqttsPort, host, portVariable: 'MQTTS_PORT' });
      if (this.https && tls?.wssPort !== undefined)
        wssPort = await listenOn(this.https, { port: tls.wssPort, host, portVariable: 'MQTT_WSS_PORT' });
    } catch (error) {
      await this.close();
      throw error;
    }
    const authority = host.includes(':') ? `[${host}]` : host;
    return {
      mqttUrl: `mqtt://${authority}:${mqttPort}`,
      wsUrl: `ws://${authority}:${wsPort}${WEBSOCKET_PATH}`,
      healthUrl: `http://${authority}:${wsPort}/health`,
      mqttPort,
      wsPort,
      ...(mqttsPort !== undefined && { mqttsUrl: `mqtts://${authority}:${mqttsPort}`, mqttsPort }),
      ...(wssPort !== undefined && { wssUrl: `wss://${authority}:${wssPort}${WEBSOCKET_PATH}`, wssPort }),
    };
  }

  health(): BrokerHealth {
    const report: BrokerHealth = {
      status: this.closing ? 'closing' : 'ok',
      connectedDevices: this.sessions.size,
      revocationFeed: this.verification?.health().revocationFeed ?? 'off',
      publishBudget: this.fairness.publishBudgets.stats(),
      slowSubscribers: this.fairness.slowSubscribers.stats(),
    };
    if (this.config.healthShowsDevices) report.devices = this.sessions.summaries().map((session) => session.clientId);
    return report;
  }

  /** Stops accepting, ends every session (wills are not published: the devices did not fail), and closes. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const closed = Promise.all([
      closeServer(this.tcp),
      closeServer(this.http),
      ...(this.tls ? [closeServer(this.tls)] : []),
      ...(this.https ? [closeServer(this.https)] : []),
    ]);
    await this.sessions.closeWhere(() => true, 'broker_shutdown');
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await this.verification?.close();
    this.http.closeAllConnections();
    this.https?.closeAllConnections();
    await closed;
    this.logger.info('iot-broker closed');
  }
}

/** Builds the broker from its configuration; call `listen()` to open its ports. */
export async function createIotBroker(config: IotBrokerConfig, options: IotBrokerOptions = {}): Promise<IotBroker> {
  const logger = options.logger ?? createLogger({ name: 'iot-broker', level: config.logLevel });
  const sessions = new BrokerSessions(logger);
  const metrics = options.metrics ?? new Metrics('iot-broker');
  // JWTs only (API keys and PATs are refused on the broker), with the revocation feed when the broker has a client.
  const verification = options.verifier
    ? undefined
    : new ResourceServerVerification({
        issuer: config.issuer,
        internalUrl: config.internalUrl,
        resource: config.resourceIndicator,
        client: config.client,
        acceptOpaque: false,
        // Refusals of valid tokens (another device's, another certificate's) go to the auth-server's audit log.
        reportUsage: true,
        metrics,
        onBackgroundError: (error) =>
          logger.warn({ err: error }, 'following the revocation feed or reporting refusals failed; will retry'),
      });
  verification?.onRevocation((event) => void closeRevokedSessions(event, sessions));
  const verifier = options.verifier ?? {
    verify: (token: string) => verification!.verifyAccessToken(token),
    remembered: (token: string) => verification!.rememberedAccessToken(token),
  };
  const { limits } = config;
  const fairness: BrokerFairness = {
    publishBudgets: new PublishBudgets(limits.publishRates, logger),
    slowSubscribers: new SlowSubscribers(limits.qos0BacklogBytes, logger),
  };
  const aedes = await Aedes.createBroker({
    ...createBrokerHooks({
      authenticator: new DeviceAuthenticator(verifier),
      ...fairness,
      logger,
      onRefused: (refusal, peer) => verification?.usage && reportRefusal(verification.usage, refusal, peer),
      metrics: new BrokerMetrics(metrics, sessions),
      tracing: tracingStarted() ? new BrokerTracing() : undefined,
    }),
    ...(config.redisUrl ? await clusterOptions(config.redisUrl, logger) : {}),
    connectTimeout: limits.connectTimeoutMs,
    keepaliveLimit: limits.keepaliveLimitSeconds,
    maxTopicLevels: limits.maxTopicLevels,
    queueLimit: limits.queueLimit,
    drainTimeout: limits.drainTimeoutMs,
    maxClientsIdLength: 64,
  });
  observeBroker(aedes, sessions, logger);
  return new IotBroker(config, aedes, sessions, fairness, logger, verification);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
