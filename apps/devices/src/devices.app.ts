import { ClientCredentialsTokenProvider } from '@tollgate/m2m-client';
import { createLogger, type Logger } from '@tollgate/platform';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevicesConfig } from './config/devices.config.js';
import { BrokerConnection, type Publisher, type TokenSource } from './connection/broker-connection.js';
import { createHealthServer } from './health/health-server.js';
import { Hub, type HubStatus } from './hub/hub.js';
import { Thermostat, type ThermostatStatus } from './thermostat/thermostat.js';

export interface DeviceHealth {
  status: 'ok';
  role: 'thermostat' | 'hub';
  clientId: string;
  broker: 'connected' | 'disconnected';
  tokenExpiresAt?: string;
  thermostat?: ThermostatStatus;
  hub?: HubStatus;
}

export interface DeviceAppOptions {
  logger?: Logger;
  /** Replaces the client-credentials provider built from the configuration. */
  tokens?: TokenSource;
}

interface DeviceRole {
  start(): void;
  stop(): void;
  onConnect(): void;
  handleMessage(topic: string, payload: Buffer): void;
}

/** One device process: a thermostat or a hub, its broker connection and its health endpoint. */
export class DeviceApp {
  readonly connection: BrokerConnection;
  readonly role: Thermostat | Hub;
  private readonly server: Server;
  private readonly logger: Logger;

  constructor(
    private readonly config: DevicesConfig,
    options: DeviceAppOptions = {},
  ) {
    const { device } = config;
    this.logger = options.logger ?? createLogger({ name: `device:${config.role}`, level: config.logLevel }).child({ clientId: device.clientId });
    const tokens =
      options.tokens ??
      new ClientCredentialsTokenProvider({
        issuer: device.issuer,
        clientId: device.clientId,
        clientSecret: device.clientSecret,
        resource: device.brokerResource,
        scope: device.tokenScope,
        authMethod: device.tokenAuthMethod,
        refreshSkewSeconds: device.tokenRefreshSkewSeconds,
      });
    // The role publishes through the connection, and the connection hands messages to the role.
    let role: DeviceRole | undefined;
    const publisher: Publisher = {
      get connected() {
        return connection.connected;
      },
      publish: (topic, message, publishOptions) => connection.publish(topic, message, publishOptions),
    };
    this.role = config.role === 'thermostat' ? new Thermostat(device.clientId, config.thermostat, publisher, this.logger) : new Hub(device.clientId, config.hub, publisher, this.logger);
    role = this.role;
    const connection = new BrokerConnection({
      url: device.brokerUrl,
      clientId: device.clientId,
      tokens,
      keepaliveSeconds: device.keepaliveSeconds,
      reconnect: device.reconnect,
      refreshSkewSeconds: device.tokenRefreshSkewSeconds,
      subscriptions: this.role instanceof Thermostat ? [this.role.topics.commands] : this.role.subscriptions,
      will: this.role instanceof Thermostat ? this.role.will : undefined,
      logger: this.logger,
      onConnect: () => role?.onConnect(),
      onMessage: (topic, payload) => role?.handleMessage(topic, payload),
    });
    this.connection = connection;
    this.server = createHealthServer(() => this.health());
  }

  health(): DeviceHealth {
    const report: DeviceHealth = {
      status: 'ok',
      role: this.config.role,
      clientId: this.config.device.clientId,
      broker: this.connection.connected ? 'connected' : 'disconnected',
      tokenExpiresAt: this.connection.tokenExpiresAt?.toISOString(),
    };
    if (this.role instanceof Thermostat) report.thermostat = this.role.status();
    else report.hub = this.role.status();
    return report;
  }

  /** Opens the health endpoint, then connects in the background (retrying until the broker and the auth-server answer). */
  async start(): Promise<{ healthUrl: string }> {
    const { host, healthPort } = this.config;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`Port ${healthPort} on ${host} is already in use. Set HEALTH_PORT to a free port.`, { cause: error }) : error);
      this.server.once('error', onError);
      this.server.listen(healthPort, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.role.start();
    this.connection.start();
    const { port } = this.server.address() as AddressInfo;
    return { healthUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}/health` };
  }

  async stop(): Promise<void> {
    this.role.stop();
    await this.connection.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export function createDeviceApp(config: DevicesConfig, options: DeviceAppOptions = {}): DeviceApp {
  return new DeviceApp(config, options);
}
