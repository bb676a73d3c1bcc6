import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Contender, Measurement } from '../benchmark.js';
import type { MqttEndpoint } from './mqtt-brokers.js';
import {
  connectPacket,
  type ConnectOptions,
  DISCONNECT,
  PacketReader,
  PacketType,
  pubackPacket,
  publishPacket,
  type ReceivedPacket,
  lengthPrefixed,
  subscribePacket,
} from './mqtt-wire.js';
import { withServerCpu } from './server-cpu.js';
import type { ServerProcess } from './server-process.js';
import { percentile } from './statistics.js';

const TIMEOUT_MS = 10_000;

/** What a device presents in CONNECT: its client id (also its username) and its access token. */
export interface DeviceLogin {
  clientId: string;
  token: string;
  /** Over TLS: the device's client certificate and key (PEM). */
  certificate?: { cert: string; key: string };
}

/** A CONNACK with a non-zero return code (MQTT 3.1.1 §3.2.2.3). */
class ConnectRefused extends Error {
  constructor(
    who: string,
    readonly returnCode: number,
  ) {
    super(`${who}: CONNACK refused the connection (return code ${returnCode})`);
  }
}

function connectOptions(device: DeviceLogin): ConnectOptions {
  return { clientId: device.clientId, username: device.clientId, password: device.token };
}

function summary(latencies: number[], operations: number, seconds: number): Measurement & { operations: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { rps: operations / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), operations };
}

/**
 * Authenticated connections per second: `concurrency` loops, each opening a new TCP connection,
 * sending CONNECT, waiting for CONNACK (which must accept), sending DISCONNECT and waiting for the
 * broker to close the connection, then starting over. Latency is socket open → CONNACK. Every
 * connection in flight uses a client id no other open connection uses (a pool of at least twice
 * `concurrency` devices), so no connection takes over another's session. With
 * `connectionsPerSecond`, the loops together open no more than that many a second.
 */
export function mqttConnectContender(
  label: string,
  endpoint: MqttEndpoint,
  devices: DeviceLogin[],
  concurrency: number,
  servers: ServerProcess[],
  connectionsPerSecond?: number,
): Contender {
  if (devices.length < concurrency * 2)
    throw new Error(
      `${label}: ${devices.length} devices for ${concurrency} concurrent connections (need twice as many)`,
    );
  const packets = devices.map((device) => ({
    who: device.clientId,
    bytes: connectPacket(connectOptions(device)),
    certificate: device.certificate,
  }));
  return {
    label,
    run: (seconds) =>
      withServerCpu(servers, async () => {
        const free = [...packets];
        const latencies: number[] = [];
        let failure: Error | undefined;
        const started = performance.now();
        const deadline = started + seconds * 1000;
        // Paced: each loop opens its next connection at its own next slot, the loops' slots interleaved.
        const slotMs = connectionsPerSecond ? (1000 * concurrency) / connectionsPerSecond : 0;
        await Promise.all(
          Array.from({ length: concurrency }, async (_, loop) => {
            let next = started + (slotMs * loop) / concurrency;
            while (!failure && performance.now() < deadline) {
              if (slotMs > 0) {
                const wait = next - performance.now();
                if (wait > 0) await sleep(wait);
                next += slotMs;
                if (performance.now() >= deadline) break;
              }
              const packet = free.shift()!;
              try {
                latencies.push(await connectOnce(endpoint, packet.who, packet.bytes, packet.certificate));
              } catch (error) {
                failure ??= error as Error;
              } finally {
                free.push(packet);
              }
            }
          }),
        );
        if (failure) throw new Error(`${label}: ${failure.message}`);
        return summary(latencies, latencies.length, (performance.now() - started) / 1000);
      }),
  };
}

/** One connection: CONNECT → CONNACK (accepted) → DISCONNECT → closed by the broker. Resolves with ms to CONNACK. */
function connectOnce(
  endpoint: MqttEndpoint,
  who: string,
  connectBytes: Buffer,
  certificate?: DeviceLogin['certificate'],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let latency: number | undefined;
    let refused: ConnectRefused | undefined;
    let failure: Error | undefined;
    const { host, port } = endpoint;
    const socket = endpoint.tls
      ? connectTls({ host, port, ca: endpoint.tls.ca, ...certificate }).setNoDelay(true)
      : connect({ host, port, noDelay: true });
    const reader = new PacketReader();
    const timer = setTimeout(
      () => socket.destroy(new Error(`${who}: no CONNACK and close within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => socket.write(connectBytes));
    socket.on('data', (chunk: Buffer) =>
      reader.push(chunk, (packet) => {
        if (packet.type !== PacketType.CONNACK || packet.body[1] !== 0) {
          if (packet.type === PacketType.CONNACK) refused = new ConnectRefused(who, packet.body[1]);
          socket.destroy(refused ?? new Error(`${who}: packet type ${packet.type} before CONNACK`));
          return;
        }
        latency = performance.now() - started;
        socket.end(DISCONNECT);
      }),
    );
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Over TLS the broker's close after DISCONNECT (or a refusal) can reach us as a reset.
      if (!(error.code === 'ECONNRESET' && (latency !== undefined || refused))) failure ??= error;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (latency !== undefined && !failure) resolve(latency);
      else reject(refused ?? failure ?? new Error(`${who}: the broker closed the connection without CONNACK`));
    });
  });
}

/** The SUBACK code a device gets for one filter (the granted QoS, or 128 when refused), then disconnects. */
export async function subscribeGrant(
  endpoint: MqttEndpoint,
  device: DeviceLogin,
  filter: string,
  qos: 0 | 1,
): Promise<number> {
  const client = await WireClient.open(endpoint, device);
  try {
    const suback = client.next(PacketType.SUBACK);
    client.socket.write(subscribePacket(1, filter, qos));
    return (await suback).body[2];
  } finally {
    await client.close();
  }
}

/** The CONNACK return code a CONNECT gets (0: accepted), then disconnects. */
export async function connackCode(endpoint: MqttEndpoint, device: DeviceLogin): Promise<number> {
  try {
    await connectOnce(endpoint, device.clientId, connectPacket(connectOptions(device)), device.certificate);
    return 0;
  } catch (error) {
    if (error instanceof ConnectRefused) return error.returnCode;
    throw error;
  }
}

/**
 * The topics a watcher subscribed to `filter` receives when `publisher` sends one QoS 0 message to
 * each of `topics` and then one to `marker` (a topic it may publish to): shows a broker's write ACL
 * at work where it drops a forbidden publish silently (Mosquitto) instead of closing the connection.
 */
export async function deliveredTopics(
  endpoint: MqttEndpoint,
  publisher: DeviceLogin,
  watcher: DeviceLogin,
  filter: string,
  topics: string[],
  marker: string,
): Promise<string[]> {
  const watching = await WireClient.open(endpoint, watcher);
  const sending = await WireClient.open(endpoint, publisher).catch(async (error: unknown) => {
    await watching.close();
    throw error;
  });
  try {
    const suback = watching.next(PacketType.SUBACK);
    watching.socket.write(subscribePacket(1, filter, 0));
    await suback;
    const received: string[] = [];
    const markerSeen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${watcher.clientId}: ${marker} not delivered`)), TIMEOUT_MS);
      watching.onPacket((packet) => {
        if (packet.type !== PacketType.PUBLISH) return;
        const topic = packet.body.toString('utf8', 2, 2 + packet.body.readUInt16BE(0));
        if (topic !== marker) return void received.push(topic);
        clearTimeout(timer);
        resolve();
      });
    });
    for (const topic of [...topics, marker])
      sending.socket.write(publishPacket(lengthPrefixed(topic), Buffer.from('{}'), 0));
    await markerSeen;
    return received;
  } finally {
    await Promise.all([watching.close(), sending.close()]);
  }
}

/** A device's live session, to watch the broker end it. */
export interface DeviceSession {
  /** Resolves with performance.now() when the connection closes. */
  closedAt: Promise<number>;
  close(): Promise<void>;
}

/** Connects a device (CONNACK must accept) and keeps the session open. */
export async function openDeviceSession(endpoint: MqttEndpoint, device: DeviceLogin): Promise<DeviceSession> {
  const client = await WireClient.open(endpoint, device);
  return { closedAt: client.closedAt, close: () => client.close() };
}

/**
 * A device as a fleet has it: connected from `localAddress` (a fleet spreads its sockets over
 * 127.0.0.0/8, so no address runs out of ports) and subscribed to `filter`, SUBACK granted.
 */
export async function openSubscribedSession(
  endpoint: MqttEndpoint,
  device: DeviceLogin,
  filter: string,
  localAddress: string,
): Promise<DeviceSession> {
  const client = await WireClient.open(endpoint, device, localAddress);
  try {
    const suback = client.next(PacketType.SUBACK);
    client.socket.write(subscribePacket(1, filter, 1));
    const granted = (await suback).body[2];
    if (granted !== 1) throw new Error(`${device.clientId}: SUBSCRIBE ${filter} answered ${granted}`);
    return { closedAt: client.closedAt, close: () => client.close() };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** A connection kept open for the publish and revocation benchmarks, with its packets handed to one handler. */
class WireClient {
  private readonly reader = new PacketReader();
  private handler: (packet: ReceivedPacket) => void = () => undefined;
  private failure?: Error;
  /** Rejects what `next` awaits, when the connection closes first. */
  private abandonNext?: (error: Error) => void;
  /** When the connection closed (performance.now()), whoever closed it. */
  readonly closedAt: Promise<number>;

  private constructor(
    readonly name: string,
    readonly socket: Socket,
  ) {
    this.closedAt = new Promise((resolve) => socket.once('close', () => resolve(performance.now())));
    socket.on('data', (chunk: Buffer) => {
      socket.cork();
      try {
        this.reader.push(chunk, (packet) => this.handler(packet));
      } finally {
        socket.uncork();
      }
    });
    socket.on('error', (error) => (this.failure ??= error));
    socket.on('close', () => {
      this.failure ??= new Error(`${name}: the broker closed the connection`);
      this.abandonNext?.(this.failure);
    });
  }

  /** Connects (from `localAddress` when given) and waits for an accepting CONNACK. */
  static async open(endpoint: MqttEndpoint, device: DeviceLogin, localAddress?: string): Promise<WireClient> {
    const socket = connect({ ...endpoint, noDelay: true, ...(localAddress && { localAddress }) });
    const client = new WireClient(device.clientId, socket);
    const connack = client.next(PacketType.CONNACK);
    socket.write(connectPacket(connectOptions(device)));
    const { body } = await connack;
    if (body[1] !== 0) throw new ConnectRefused(device.clientId, body[1]);
    return client;
  }

  /** The next packet, which must be of `type` (setup steps only). */
  next(type: number): Promise<ReceivedPacket> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error, packet?: ReceivedPacket) => {
        clearTimeout(timer);
        this.handler = () => undefined;
        this.abandonNext = undefined;
        if (error) reject(error);
        else resolve(packet!);
      };
      const timer = setTimeout(
        () => settle(new Error(`${this.name}: no packet of type ${type} within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
      this.abandonNext = settle;
      this.handler = (packet) =>
        settle(
          packet.type === type
            ? undefined
            : new Error(`${this.name}: expected packet type ${type}, got ${packet.type}`),
          packet,
        );
      if (this.socket.destroyed) settle(this.failure ?? new Error(`${this.name}: the connection is closed`));
    });
  }

  onPacket(handler: (packet: ReceivedPacket) => void): void {
    this.handler = handler;
  }

  /** Set when the connection failed or closed. */
  get error(): Error | undefined {
    return this.failure;
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    this.failure ??= new Error(`${this.name}: closed by the benchmark`);
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(DISCONNECT);
      setTimeout(() => this.socket.destroy(), 2_000).unref();
    });
  }
}

export interface PublishLoad {
  /** Devices publishing telemetry, each to `devices/<client id>/telemetry`. */
  publishers: DeviceLogin[];
  /** The watcher receiving every publisher's telemetry. */
  subscriber: DeviceLogin;
  /** What the subscriber subscribes to, e.g. `devices/+/telemetry`. */
  filter: string;
  qos: 0 | 1;
  /** Messages each publisher may have sent but not yet seen delivered. */
  window: number;
}

// A realistic telemetry message (~90 bytes); the benchmark writes the publisher's index and the
// message's sequence number into the fixed-width fields to check order and measure latency.
const PAYLOAD = '{"device":00,"seq":0000000000,"temperature":21.50,"humidity":43.0,"heater":false,"setpoint":21}';
const DEVICE_DIGITS = { at: PAYLOAD.indexOf('"device":') + 9, width: 2 };
const SEQ_DIGITS = { at: PAYLOAD.indexOf('"seq":') + 6, width: 10 };
export const TELEMETRY_PAYLOAD_BYTES = PAYLOAD.length;

interface Publisher {
  client: WireClient;
  /** PUBLISH with sequence 0 and packet id 0; copied and patched for each message. */
  template: Buffer;
  payloadAt: number;
  packetIdAt: number;
  sent: number;
  delivered: number;
  acknowledged: number;
  sentAt: Float64Array;
}

/**
 * Messages per second from devices to a watcher through the broker: each publisher keeps up to
 * `window` messages in flight (sent, not yet delivered), so the broker is kept busy without
 * unbounded queues. Every delivery is checked (right publisher, no gap, in order) and, at QoS 1,
 * acknowledged by the subscriber; every publish's PUBACK must arrive. Latency is publish → delivery.
 * The connections stay open between runs; `close` ends them.
 */
export async function mqttPublishContender(
  label: string,
  endpoint: MqttEndpoint,
  load: PublishLoad,
  servers: ServerProcess[],
): Promise<Contender & { close(): Promise<void> }> {
  const opened: WireClient[] = [];
  const close = () => Promise.all(opened.map((client) => client.close())).then(() => undefined);
  try {
    const subscriber = await WireClient.open(endpoint, load.subscriber);
    opened.push(subscriber);
    const suback = subscriber.next(PacketType.SUBACK);
    subscriber.socket.write(subscribePacket(1, load.filter, load.qos));
    const granted = (await suback).body[2];
    if (granted !== load.qos)
      throw new Error(
        `${label}: SUBSCRIBE ${load.filter} at QoS ${load.qos} was answered with ${granted} (128 = refused)`,
      );

    const publishers: Publisher[] = [];
    for (const [index, device] of load.publishers.entries()) {
      const client = await WireClient.open(endpoint, device);
      opened.push(client);
      const payload = Buffer.from(PAYLOAD, 'latin1');
      payload.write(String(index).padStart(DEVICE_DIGITS.width, '0'), DEVICE_DIGITS.at, 'latin1');
      const topic = lengthPrefixed(`devices/${device.clientId}/telemetry`);
      const template = publishPacket(topic, payload, load.qos, 0);
      const payloadAt = template.length - payload.length;
      publishers.push({
        client,
        template,
        payloadAt,
        packetIdAt: payloadAt - 2,
        sent: 0,
        delivered: 0,
        acknowledged: 0,
        sentAt: new Float64Array(load.window),
      });
    }
    if (load.publishers.length > 99) throw new Error(`${label}: at most 99 publishers`);

    return {
      label,
      close,
      run: (seconds) => withServerCpu(servers, () => runPublishLoad(label, subscriber, publishers, load, seconds)),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function runPublishLoad(
  label: string,
  subscriber: WireClient,
  publishers: Publisher[],
  load: PublishLoad,
  seconds: number,
): Promise<Measurement & { operations: number }> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const sentBefore = publishers.map((p) => p.sent);
    const started = performance.now();
    let sending = true;
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;

    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(stopTimer);
      clearTimeout(drainTimer);
      if (error) return reject(new Error(`${label}: ${error.message}`));
      const delivered = publishers.reduce((sum, p, i) => sum + p.sent - sentBefore[i], 0);
      resolve(summary(latencies, delivered, (performance.now() - started) / 1000));
    };
    const finishIfDrained = () => {
      if (sending || finished) return;
      if (publishers.every((p) => p.delivered === p.sent && (load.qos === 0 || p.acknowledged === p.sent))) finish();
    };
    const stopTimer = setTimeout(() => {
      sending = false;
      drainTimer = setTimeout(() => {
        const undelivered = publishers.map(
          (p) =>
            `${p.client.name}: ${p.sent - p.delivered} undelivered, ${load.qos === 1 ? p.sent - p.acknowledged : 0} unacknowledged`,
        );
        const broken = [subscriber, ...publishers.map((p) => p.client)]
          .map((client) => client.error?.message)
          .filter(Boolean);
        finish(
          new Error(
            `messages still outstanding ${TIMEOUT_MS} ms after publishing stopped (${undelivered.join('; ')})${broken.length ? `; ${broken.join('; ')}` : ''}`,
          ),
        );
      }, TIMEOUT_MS);
      finishIfDrained();
    }, seconds * 1000);

    const pump = (publisher: Publisher) => {
      const { socket } = publisher.client;
      socket.cork();
      while (sending && publisher.sent - publisher.delivered < load.window) {
        const packet = Buffer.from(publisher.template);
        packet.write(
          String(publisher.sent).padStart(SEQ_DIGITS.width, '0'),
          publisher.payloadAt + SEQ_DIGITS.at,
          'latin1',
        );
        if (load.qos === 1) packet.writeUInt16BE((publisher.sent % 65_535) + 1, publisher.packetIdAt);
        publisher.sentAt[publisher.sent % load.window] = performance.now();
        publisher.sent++;
        socket.write(packet);
      }
      socket.uncork();
    };

    subscriber.onPacket((packet) => {
      if (finished) return;
      if (packet.type !== PacketType.PUBLISH)
        return finish(new Error(`the subscriber received packet type ${packet.type}`));
      const topicLength = packet.body.readUInt16BE(0);
      const qos = (packet.flags >> 1) & 0x03;
      if (qos !== load.qos) return finish(new Error(`a message was delivered at QoS ${qos}, not ${load.qos}`));
      if (qos === 1) subscriber.socket.write(pubackPacket(packet.body.readUInt16BE(2 + topicLength)));
      const payloadAt = 2 + topicLength + (qos > 0 ? 2 : 0);
      const field = ({ at, width }: { at: number; width: number }) =>
        Number(packet.body.toString('latin1', payloadAt + at, payloadAt + at + width));
      const index = field(DEVICE_DIGITS);
      const seq = field(SEQ_DIGITS);
      const publisher = publishers[index];
      if (!publisher || seq !== publisher.delivered)
        return finish(
          new Error(
            `delivery out of order or lost: publisher ${index} message ${seq}, expected ${publisher?.delivered}`,
          ),
        );
      latencies.push(performance.now() - publisher.sentAt[seq % load.window]);
      publisher.delivered++;
      pump(publisher);
      finishIfDrained();
    });
    for (const publisher of publishers) {
      publisher.client.onPacket((packet) => {
        if (finished) return;
        if (packet.type !== PacketType.PUBACK || load.qos !== 1)
          return finish(new Error(`publisher ${publisher.client.name} received packet type ${packet.type}`));
        publisher.acknowledged++;
        finishIfDrained();
      });
    }
    const failed = [subscriber, ...publishers.map((p) => p.client)].find((client) => client.error);
    if (failed) return finish(failed.error);
    for (const publisher of publishers) pump(publisher);
  });
}
