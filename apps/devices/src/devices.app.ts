import { type ClientCertificate, ClientCredentialsTokenProvider } from '@tollgate/m2m-client';
import { createLogger, type Logger } from '@tollgate/platform';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevicesConfig } from './config/devices.config.js';
import { BrokerConnection, type TokenSource } from './connection/broker-connection.js';
import { DeviceKey } from './pairing/device-key.js';
import { pairDevice, type PairingStatus } from './pairing/device-pairing.js';
import { createHealthServer } from './health/health-server.js';
import { Hub, type HubStatus } from './hub/hub.js';
import { Thermostat, type ThermostatStatus } from './thermostat/thermostat.js';

export interface DeviceHealth {
  status: 'ok';
  role: 'thermostat' | 'hub';
  clientId: string;
  broker: 'connected' | 'disconnected';
  tokenExpiresAt?: string;
  /** While a new device waits for an administrator to approve it: the code to enter, and where. */
  pairing?: PairingStatus;
  thermostat?: ThermostatStatus;
  hub?: HubStatus;
}

export interface DeviceAppOptions {
  logger?: Logger;
  /** Replaces the client-credentials provider built from the configuration. */
  tokens?: TokenSource;
}

/** One device process: a thermostat or a hub, its broker connection and its health endpoint. */
export class DeviceApp {
  readonly connection: BrokerConnection;
  readonly role: Thermostat | Hub;
  private readonly server: Server;
  private readonly logger: Logger;
  private readonly stopping = new AbortController();
  /** Set once the device's key is loaded (private_key_jwt): the token source uses it. */
  private keyedTokens?: ClientCredentialsTokenProvider;
  private pairing?: PairingStatus;

  constructor(
    private readonly config: DevicesConfig,
    options: DeviceAppOptions = {},
  ) {
    const { device } = config;
    this.logger =
      options.logger ??
      createLogger({ name: `device:${config.role}`, level: config.logLevel }).child({ clientId: device.clientId });
    const tokens = options.tokens ?? (device.keyFile ? this.keyedTokenSource() : this.secretTokenSource());
    this.connection = new BrokerConnection({
      urls: device.brokerUrls,
      clientId: device.clientId,
      tokens,
      keepaliveSeconds: device.keepaliveSeconds,
      reconnect: device.reconnect,
      refreshSkewSeconds: device.tokenRefreshSkewSeconds,
      subscriptions:
        config.role === 'thermostat'
          ? Thermostat.subscriptions(device.clientId)
          : Hub.subscriptions(config.hub.thermostatId),
      will: config.role === 'thermostat' ? Thermostat.will(device.clientId) : undefined,
      tls: device.tls,
      logger: this.logger,
      // Called only once connected, after the role below exists.
      onConnect: () => this.role.onConnect(),
      onMessage: (topic, payload) => this.role.handleMessage(topic, payload),
    });
    this.role =
      config.role === 'thermostat'
        ? new Thermostat(device.clientId, config.thermostat, this.connection, this.logger)
        : new Hub(device.clientId, config.hub, this.connection, this.logger);
    this.server = createHealthServer(() => this.health());
  }

  /** With a certificate, tokens come from the mTLS endpoint, bound to it (RFC 8705). */
  private clientCertificate(): ClientCertificate | undefined {
    const tls = this.config.device.tls;
    return tls?.cert && tls.key ? { cert: tls.cert, key: tls.key, ca: tls.ca } : undefined;
  }

  private secretTokenSource(): TokenSource {
    const { device } = this.config;
    return new ClientCredentialsTokenProvider({
      issuer: device.issuer,
      internalUrl: device.internalUrl,
      clientId: device.clientId,
      clientSecret: device.clientSecret,
      resource: device.brokerResource,
      scope: device.tokenScope,
      authMethod: device.tokenAuthMethod,
      refreshSkewSeconds: device.tokenRefreshSkewSeconds,
      clientCertificate: this.clientCertificate(),
    });
  }

  /** Tokens signed for with the device's key, once start() has loaded it (and paired the device if it is new). */
  private keyedTokenSource(): TokenSource {
    return {
      getToken: () => {
        if (!this.keyedTokens) return Promise.reject(new Error('The device is not paired yet'));
        return this.keyedTokens.getToken();
      },
      invalidate: (rejected) => this.keyedTokens?.invalidate(rejected),
    };
  }

  /** Loads (or creates) the key, pairs the device if no one has approved it yet, then connects. */
  private async pairThenConnect(keyFile: string): Promise<void> {
    const { device } = this.config;
    const key = await DeviceKey.loadOrCreate(keyFile);
    if (!key.pairedAs) {
      await pairDevice({
        authServerUrl: device.internalUrl ?? device.issuer,
        clientId: device.clientId,
        resource: device.brokerResource,
        key,
        logger: this.logger,
        signal: this.stopping.signal,
        onStatus: (status) => (this.pairing = status),
      });
      if (this.stopping.signal.aborted) return;
    }
    this.keyedTokens = new ClientCredentialsTokenProvider({
      issuer: device.issuer,
      internalUrl: device.internalUrl,
      clientId: device.clientId,
      authMethod: 'private_key_jwt',
      clientAssertionKey: { key: key.privateKey, alg: 'ES256' },
      resource: device.brokerResource,
      scope: device.tokenScope,
      refreshSkewSeconds: device.tokenRefreshSkewSeconds,
      clientCertificate: this.clientCertificate(),
    });
    this.connection.start();
  }

  health(): DeviceHealth {
    const report: DeviceHealth = {
      status: 'ok',
      role: this.config.role,
      clientId: this.config.device.clientId,
      broker: this.connection.connected ? 'connected' : 'disconnected',
      tokenExpiresAt: this.connection.tokenExpiresAt?.toISOString(),
      ...(this.pairing && { pairing: this.pairing }),
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
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`Port ${healthPort} on ${host} is already in use. Set HEALTH_PORT to a free port.`, {
                cause: error,
              })
            : error,
        );
      this.server.once('error', onError);
      this.server.listen(healthPort, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.role.start();
    const { keyFile } = this.config.device;
    if (keyFile && !this.keyedTokens)
      void this.pairThenConnect(keyFile).catch((error: unknown) =>
        this.logger.error({ err: error }, 'The device could not pair or load its key; restart it to try again'),
      );
    else this.connection.start();
    const { port } = this.server.address() as AddressInfo;
    return { healthUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}/health` };
  }

  async stop(): Promise<void> {
    this.stopping.abort();
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
