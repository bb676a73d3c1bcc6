import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from '../checks.js';

export type ConnectOutcome =
  { connected: true; client: MqttClient } | { connected: false; returnCode?: number; reason: string };

/** One CONNECT (MQTT 3.1.1, username = client id, password = access token), no automatic reconnect; never rejects. */
export function tryConnect(
  url: string,
  options: {
    clientId: string;
    username?: string;
    password: string;
    /** mqtts: the CA of the broker's certificate, and the client certificate and key to present. */
    tls?: { ca: string; cert: string; key: string };
  },
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, {
      clientId: options.clientId,
      username: options.username ?? options.clientId,
      password: options.password,
      clean: true,
      protocolVersion: 4,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...options.tls,
    });
    let settled = false;
    const settle = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      if (!outcome.connected) client.end(true);
      resolve(outcome);
    };
    client.once('connect', () => {
      client.on('error', () => undefined);
      settle({ connected: true, client });
    });
    client.once('error', (error: Error & { code?: unknown }) =>
      settle({
        connected: false,
        returnCode: typeof error.code === 'number' ? error.code : undefined,
        reason: error.message,
      }),
    );
    client.once('close', () => settle({ connected: false, reason: 'closed without CONNACK' }));
  });
}

/** SUBSCRIBE at QoS 1; the SUBACK return code per filter (the granted QoS, or 128 = refused, MQTT 3.1.1 §3.9.3). */
export function subscribe(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, { qos: 1 }, (error, _granted, suback) => {
      if (suback && 'granted' in suback) resolve(suback.granted as number[]);
      else reject(error ?? new Error('no SUBACK'));
    });
  });
}

/** Resolves when the connection closes (at once if it already has). */
export function whenClosed(client: MqttClient): Promise<void> {
  if (client.disconnected || !client.connected) return Promise.resolve();
  return new Promise((resolve) => client.once('close', () => resolve()));
}

export interface ObservedMessage {
  topic: string;
  /** The payload parsed as a JSON object (empty when it is not one). */
  json: Record<string, any>;
  receivedAt: number;
}

/** Every message a client receives, kept for the story's checks. */
export class MessageLog {
  readonly messages: ObservedMessage[] = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => {
      let json: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(payload.toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          json = parsed as Record<string, unknown>;
      } catch {
        // Not JSON: kept with an empty body.
      }
      this.messages.push({ topic, json, receivedAt: Date.now() });
    });
  }

  find(predicate: (message: ObservedMessage) => boolean): ObservedMessage | undefined {
    return this.messages.find(predicate);
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(
    predicate: (message: ObservedMessage) => boolean,
    description: string,
    timeoutMs = 15_000,
  ): Promise<ObservedMessage> {
    return waitFor(async () => this.find(predicate), description, timeoutMs);
  }
}
