import { type AccessToken, TokenRequestError } from '@tollgate/m2m-client';
import type { Logger } from '@tollgate/platform';
import mqtt, { type MqttClient, Store } from 'mqtt';
import { Backoff } from './backoff.js';

/** Where a device's access tokens come from (a ClientCredentialsTokenProvider). */
export interface TokenSource {
  getToken(): Promise<AccessToken>;
  invalidate(rejected?: AccessToken | string): void;
}

/** What a device role needs from its connection. */
export interface Publisher {
  readonly connected: boolean;
  /** Publishes a JSON message; false when offline (nothing is queued). */
  publish(topic: string, message: object, options: { qos: 0 | 1; retain?: boolean }): Promise<boolean>;
}

export interface BrokerConnectionOptions {
  /** Brokers of one cluster; after a lost or failed connection the next one is tried. */
  urls: string[];
  clientId: string;
  tokens: TokenSource;
  keepaliveSeconds: number;
  reconnect: { minDelayMs: number; maxDelayMs: number };
  /** Reconnect with a fresh token this long before the current one expires (at most a quarter of its remaining life). */
  refreshSkewSeconds: number;
  /** Filters to hold (QoS 1) in the persistent session. */
  subscriptions: string[];
  will?: { topic: string; message: object; retain: boolean };
  /** mqtts: the device's certificate and the CAs it trusts. */
  tls?: { cert?: string; key?: string; ca?: string };
  logger: Logger;
  onConnect?: (sessionPresent: boolean) => void;
  onMessage?: (topic: string, payload: Buffer) => void;
}

const CONNACK_BAD_CREDENTIALS = 4;
const CONNACK_NOT_AUTHORISED = 5;
// setTimeout fires at once above 2^31-1 ms; a refresh that far away is simply re-armed.
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A device's MQTT session with the broker, authenticated with an OAuth access token as the
 * password. The session is persistent (`clean: false`) and commands travel at QoS 1, so nothing the
 * device must act on is lost while it is away. Before the token expires the connection is closed
 * cleanly and reopened with a fresh one; when the broker or the auth-server is down it retries
 * with exponential backoff, forever, without throwing.
 */
export class BrokerConnection implements Publisher {
  private urlIndex = 0;
  private switchBroker = false;
  private client?: MqttClient;
  // Stores that survive reconnects (mqtt.js empties "clean" stores when a connection ends).
  private readonly stores = { incomingStore: new Store({ clean: false }), outgoingStore: new Store({ clean: false }) };
  private readonly backoff: Backoff;
  private readonly logger: Logger;
  private token?: AccessToken;
  private retryTimer?: NodeJS.Timeout;
  private refreshTimer?: NodeJS.Timeout;
  private stopped = true;
  /** The next close is one we asked for (to present a fresh token), not a lost connection. */
  private closeExpected = false;
  private wasConnected = false;

  constructor(private readonly options: BrokerConnectionOptions) {
    this.backoff = new Backoff(options.reconnect.minDelayMs, options.reconnect.maxDelayMs);
    this.logger = options.logger;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get tokenExpiresAt(): Date | undefined {
    return this.token?.expiresAt;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Disconnects cleanly (DISCONNECT: the broker does not publish the will). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    const client = this.client;
    if (!client) return;
    const graceful = client.connected;
    await Promise.race([client.endAsync(!graceful), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    if (graceful) this.logger.info('disconnected from the broker (stopping)');
  }

  async publish(topic: string, message: object, options: { qos: 0 | 1; retain?: boolean }): Promise<boolean> {
    if (!this.client?.connected) return false;
    try {
      await this.client.publishAsync(topic, JSON.stringify(message), {
        qos: options.qos,
        retain: options.retain ?? false,
      });
      return true;
    } catch (error) {
      this.logger.warn({ topic, error: (error as Error).message }, 'publish failed');
      return false;
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let token: AccessToken;
    try {
      token = await this.options.tokens.getToken();
    } catch (error) {
      const permanent = error instanceof TokenRequestError;
      this.logger.warn({ error: (error as Error).message, permanent }, 'could not obtain an access token; will retry');
      this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    this.token = token;
    if (this.client && this.switchBroker && this.options.urls.length > 1) {
      // Another broker of the cluster: a new client, with the same stores so unacknowledged QoS 1 messages survive.
      this.client.removeAllListeners();
      this.client.end(true);
      this.client = undefined;
      this.urlIndex = (this.urlIndex + 1) % this.options.urls.length;
    }
    this.switchBroker = false;
    if (!this.client) {
      this.client = this.createClient(token);
      this.client.connect();
    } else {
      this.client.options.password = token.value;
      this.client.reconnect(this.stores);
    }
  }

  private createClient(token: AccessToken): MqttClient {
    const { clientId, will } = this.options;
    const client = mqtt.connect(this.options.urls[this.urlIndex], {
      clientId,
      username: clientId,
      password: token.value,
      clean: false,
      protocolVersion: 4,
      keepalive: this.options.keepaliveSeconds,
      connectTimeout: 10_000,
      // Reconnection is ours: it must fetch a token first, and back off.
      reconnectPeriod: 0,
      manualConnect: true,
      resubscribe: false,
      ...this.options.tls,
      will: will && {
        topic: will.topic,
        payload: Buffer.from(JSON.stringify(will.message)),
        qos: 1,
        retain: will.retain,
      },
      ...this.stores,
    });
    client.on('connect', (connack) => this.onConnected(connack.sessionPresent));
    client.on('message', (topic, payload) => this.options.onMessage?.(topic, payload));
    client.on('error', (error: Error & { code?: number | string }) => this.onError(error));
    client.on('close', () => this.onClosed());
    return client;
  }

  private onConnected(sessionPresent: boolean): void {
    this.backoff.reset();
    this.wasConnected = true;
    this.logger.info(
      { broker: this.options.urls[this.urlIndex], sessionPresent, tokenExpiresAt: this.token?.expiresAt.toISOString() },
      'connected to the broker',
    );
    if (!sessionPresent) this.subscribe();
    this.armRefresh();
    this.options.onConnect?.(sessionPresent);
  }

  private subscribe(): void {
    const filters = this.options.subscriptions;
    if (filters.length === 0) return;
    this.client!.subscribe(filters, { qos: 1 }, (error, _subscriptions, suback) => {
      const granted = suback && 'granted' in suback ? (suback.granted as number[]) : [];
      const refused = filters.filter((_filter, i) => granted[i] === undefined || granted[i] >= 0x80);
      if (refused.length > 0)
        this.logger.error(
          { refused, error: error?.message },
          'the broker refused subscriptions: check the client grants',
        );
      else this.logger.info({ filters }, 'subscribed');
    });
  }

  private onError(error: Error & { code?: number | string }): void {
    if (error.code === CONNACK_BAD_CREDENTIALS || error.code === CONNACK_NOT_AUTHORISED) {
      // Revoked, expired or mis-scoped: the next attempt fetches a new token.
      if (this.token) this.options.tokens.invalidate(this.token);
      this.logger.warn({ returnCode: error.code, error: error.message }, 'the broker refused the connection');
      return;
    }
    this.logger.warn({ code: error.code, error: error.message }, 'connection error');
  }

  private onClosed(): void {
    clearTimeout(this.refreshTimer);
    if (this.closeExpected) {
      this.closeExpected = false;
      return;
    }
    if (this.stopped) return;
    if (this.wasConnected) this.logger.warn('disconnected from the broker; reconnecting');
    this.wasConnected = false;
    this.switchBroker = true;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    const delayMs = this.backoff.next();
    this.logger.debug({ delayMs }, 'reconnect scheduled');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delayMs);
  }

  private armRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (!this.token) return;
    const remaining = this.token.expiresAt.getTime() - Date.now();
    const margin = Math.min(this.options.refreshSkewSeconds * 1000, remaining / 4);
    this.refreshTimer = setTimeout(
      () => void this.refresh(),
      Math.min(Math.max(0, remaining - margin), MAX_TIMER_DELAY_MS),
    );
  }

  private async refresh(): Promise<void> {
    const current = this.token;
    if (this.stopped || !this.client?.connected || !current) return;
    if (current.expiresAt.getTime() - Date.now() > MAX_TIMER_DELAY_MS) return this.armRefresh();
    let fresh: AccessToken;
    try {
      this.options.tokens.invalidate(current);
      fresh = await this.options.tokens.getToken();
    } catch (error) {
      const remaining = current.expiresAt.getTime() - Date.now();
      this.logger.warn(
        { error: (error as Error).message, tokenExpiresAt: current.expiresAt.toISOString() },
        'token refresh failed; retrying while the current token lasts',
      );
      if (remaining > 0)
        this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(100, Math.min(5_000, remaining / 2)));
      return;
    }
    if (this.stopped || !this.client?.connected) return;
    this.token = fresh;
    this.logger.info({ tokenExpiresAt: fresh.expiresAt.toISOString() }, 'access token refreshed; reconnecting with it');
    this.client.options.password = fresh.value;
    this.closeExpected = true;
    this.client.reconnect(this.stores);
  }
}
