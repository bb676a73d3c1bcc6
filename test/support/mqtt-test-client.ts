import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface TestConnectOptions {
  clientId: string;
  /** Defaults to the client id, as Tollgate devices send it. */
  username?: string;
  password?: string | Buffer;
  will?: IClientOptions['will'];
  clean?: boolean;
  keepalive?: number;
  /** mqtts: the CA the broker's certificate comes from, and the client certificate and key to present. */
  tls?: { ca: string; cert?: string; key?: string };
}

/** How a CONNECT ended: a session, or a refusal (CONNACK code) or a close without CONNACK. */
export type ConnectOutcome =
  | { connected: true; client: MqttClient; sessionPresent: boolean }
  | { connected: false; returnCode?: number; closedWithoutConnack: boolean };

/** One CONNECT attempt, no automatic reconnect; never rejects. */
export function attemptConnect(url: string, options: TestConnectOptions): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, {
      clientId: options.clientId,
      username: options.username ?? options.clientId,
      password: options.password,
      will: options.will,
      clean: options.clean ?? true,
      keepalive: options.keepalive ?? 30,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(options.tls && { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key }),
    });
    let settled = false;
    const settle = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      if (!outcome.connected) client.end(true);
      resolve(outcome);
    };
    client.once('connect', (connack) => settle({ connected: true, client, sessionPresent: connack.sessionPresent }));
    client.once('error', (error: Error & { code?: number }) =>
      settle({
        connected: false,
        returnCode: typeof error.code === 'number' ? error.code : undefined,
        closedWithoutConnack: false,
      }),
    );
    client.once('close', () => settle({ connected: false, closedWithoutConnack: true }));
  });
}

/** Connects or fails the test with the refusal. */
export async function connectDevice(url: string, options: TestConnectOptions): Promise<MqttClient> {
  const outcome = await attemptConnect(url, options);
  if (!outcome.connected) throw new Error(`${options.clientId} could not connect: ${JSON.stringify(outcome)}`);
  // A broker-initiated close would otherwise surface as an unhandled 'error' in some paths.
  outcome.client.on('error', () => undefined);
  return outcome.client;
}

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  json<T = Record<string, unknown>>(): T;
}

/** Collects every message a client receives, for later assertions. */
export function collectMessages(client: MqttClient): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload, retain: packet.retain, json: <T>() => JSON.parse(payload.toString('utf8')) as T });
  });
  return messages;
}

/** Polls until `condition` holds; fails with `description` after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  description: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves when the client's connection closes (now, if it already has). */
export function whenClosed(client: MqttClient): Promise<number> {
  if (!client.connected) return Promise.resolve(Date.now());
  return new Promise((resolve) => client.once('close', () => resolve(Date.now())));
}

/** SUBSCRIBE and return the SUBACK's return code per filter (the granted QoS, or 128 = refused, MQTT 3.1.1 §3.9.3). */
export async function grantedQos(client: MqttClient, filters: string[], qos: 0 | 1 = 1): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, { qos }, (error, _subscriptions, suback) => {
      if (suback && 'granted' in suback) resolve(suback.granted as number[]);
      else reject(error ?? new Error('no SUBACK'));
    });
  });
}

export async function endAll(...clients: Array<MqttClient | undefined>): Promise<void> {
  await Promise.all(
    clients.filter((client): client is MqttClient => client !== undefined).map((client) => client.endAsync(true)),
  );
}
