import type { MqttClient } from 'mqtt';
import { connect as connectTcp, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import {
  attemptConnect,
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  waitFor,
  whenClosed,
} from '../support/mqtt-test-client.js';
import { encodeRemainingLength, rawConnect, rawPublish, rawSubscribe } from '../support/mqtt-packets.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

/** Opens a raw TCP connection and resolves when the broker closes it, with how long that took. */
function rawConnection(port: number, bytes?: Buffer): Promise<{ socket: Socket; closedAfterMs: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connectTcp(port, '127.0.0.1', () => {
      if (bytes) socket.write(bytes);
      resolve({ socket, closedAfterMs: new Promise((done) => socket.on('close', () => done(Date.now() - started))) });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('IoT broker: hardening', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let bystander: MqttClient;
  let controller: MqttClient;

  const token = (clientId: string, scope = 'device') => issuer.token({ subject: clientId, scope });

  /** A full round trip through the broker, proving it still serves. */
  async function brokerStillServes(): Promise<void> {
    const inbox = collectMessages(bystander);
    const id = `ping-${Date.now()}-${Math.random()}`;
    await controller.publishAsync('devices/bystander/commands/ping', JSON.stringify({ id }), { qos: 1 });
    await waitFor(() => inbox.find((m) => m.json().id === id), 'a command to reach the bystander');
    expect(bystander.connected).toBe(true);
  }

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer, {
      CONNECT_TIMEOUT_MS: '500',
      MAX_PACKET_SIZE: '65536',
      KEEPALIVE_LIMIT_SECONDS: '120',
      MAX_TOPIC_LEVELS: '16',
      QUEUE_LIMIT: '8',
    });
    bystander = await connectDevice(iot.mqttUrl, { clientId: 'bystander', password: await token('bystander') });
    await grantedQos(bystander, ['devices/bystander/commands/#']);
    controller = await connectDevice(iot.wsUrl, {
      clientId: 'controller',
      password: await token('controller', 'devices:control:*'),
    });
  });

  afterAll(async () => {
    await endAll(bystander, controller);
    await iot.close();
    await issuer.stop();
  });

  it.each([
    ['TCP', () => iot.mqttUrl],
    ['WebSocket', () => iot.wsUrl],
  ])('disconnects a device that publishes 1 MiB over %s, and keeps serving the others', async (_transport, url) => {
    const big = await connectDevice(url(), { clientId: 'big-talker', password: await token('big-talker') });
    const closed = whenClosed(big);
    big.publish('devices/big-talker/telemetry', Buffer.alloc(1024 * 1024, 7), { qos: 0 });
    await closed;
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'connection closed: packet over the size limit',
        reason: 'packet_too_large',
        limit: 65536,
      }),
    );
    await brokerStillServes();
    await endAll(big);
  });

  it('cuts a connection as soon as a header announces an oversize packet, without waiting for the body', async () => {
    // After a CONNECT: a packet before it is refused for that alone (MQTT 3.1.1 §3.1).
    const connect = rawConnect({ clientId: 'oversize', username: 'oversize', password: await token('oversize') });
    const header = Buffer.concat([Buffer.from([0x30]), encodeRemainingLength(200 * 1024 * 1024)]);
    const { closedAfterMs } = await rawConnection(iot.mqttPort, Buffer.concat([connect, header]));
    expect(await closedAfterMs).toBeLessThan(2_000);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        reason: 'packet_too_large',
        announcedSize: header.length + 200 * 1024 * 1024,
        limit: 65536,
      }),
    );
    await brokerStillServes();
  });

  it('closes a device that publishes to a topic 200 levels deep, or subscribes to one, and keeps serving', async () => {
    const deep = `devices/deep/${Array.from({ length: 198 }, (_, i) => `l${i}`).join('/')}`;
    const publisher = await connectDevice(iot.mqttUrl, { clientId: 'deep', password: await token('deep') });
    const publisherClosed = whenClosed(publisher);
    publisher.publish(deep, 'x', { qos: 1 });
    await publisherClosed;
    const subscriber = await connectDevice(iot.mqttUrl, { clientId: 'deep', password: await token('deep') });
    const subscriberClosed = whenClosed(subscriber);
    subscriber.subscribe(`${deep}/#`, { qos: 1 }, () => undefined);
    await subscriberClosed;
    await brokerStillServes();
    await endAll(publisher, subscriber);
  });

  it('drops a connection that never sends CONNECT after CONNECT_TIMEOUT_MS', async () => {
    const { closedAfterMs } = await rawConnection(iot.mqttPort);
    const elapsed = await closedAfterMs;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('drops a client that floods packets before its CONNECT is answered (QUEUE_LIMIT)', async () => {
    const password = await token('flooder');
    const flood = Buffer.concat([
      rawConnect({ clientId: 'flooder', username: 'flooder', password }),
      ...Array.from({ length: 50 }, () => rawPublish(10, 'devices/flooder/telemetry')),
    ]);
    const { closedAfterMs } = await rawConnection(iot.mqttPort, flood);
    expect(await closedAfterMs).toBeLessThan(2_000);
    expect(iot.logs).toContainEqual(expect.objectContaining({ error: 'Client queue limit reached' }));
    await brokerStillServes();
  });

  it('drops a connection that sends garbage', async () => {
    const { closedAfterMs } = await rawConnection(iot.mqttPort, Buffer.from('GET / HTTP/1.1\r\nHost: broker\r\n\r\n'));
    expect(await closedAfterMs).toBeLessThan(2_000);
    await brokerStillServes();
  });

  it.each([
    ['no keepalive', 0],
    ['a keepalive above KEEPALIVE_LIMIT_SECONDS', 121],
  ])('refuses a CONNECT with %s', async (_case, keepalive) => {
    const outcome = await attemptConnect(iot.mqttUrl, { clientId: 'lazy', password: await token('lazy'), keepalive });
    expect(outcome.connected).toBe(false);
  });

  it('serves health with the number of connected devices, and nothing else over plain HTTP', async () => {
    const health = await fetch(iot.healthUrl);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      connectedDevices: 2,
      revocationFeed: 'off',
      publishBudget: { delayedPublishes: 0, episodes: 0 },
      slowSubscribers: { droppedQos0Messages: 0, episodes: 0 },
    });
    const other = await fetch(new URL('/anything', iot.healthUrl));
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    const post = await fetch(iot.healthUrl, { method: 'POST' });
    expect(post.status).toBe(405);
    const plainMqtt = await fetch(new URL('/mqtt', iot.healthUrl));
    expect(plainMqtt.status).toBe(426);
  });

  it('refuses a WebSocket upgrade outside /mqtt with 404', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(iot.wsUrl.replace('/mqtt', '/elsewhere'), 'mqtt');
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('upgraded')));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('IoT broker: slow readers', () => {
  it('cuts off a subscriber that stops reading, after DRAIN_TIMEOUT_MS, and keeps serving', async () => {
    const issuer = await TestIssuer.start();
    const iot = await startTestIotBroker(issuer, { DRAIN_TIMEOUT_MS: '300' });
    const publisher = await connectDevice(iot.mqttUrl, {
      clientId: 'chatty',
      password: await issuer.token({ subject: 'chatty', scope: 'device' }),
    });
    const password = await issuer.token({ subject: 'slow-reader', scope: 'devices:read:*' });
    const { socket } = await rawConnection(
      iot.mqttPort,
      Buffer.concat([
        rawConnect({ clientId: 'slow-reader', username: 'slow-reader', password }),
        rawSubscribe('devices/+/telemetry'),
      ]),
    );
    socket.pause();
    try {
      await waitFor(
        () => iot.logs.some((line) => line.msg === 'device connected' && line.clientId === 'slow-reader'),
        'the slow reader to connect',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const payload = Buffer.alloc(60 * 1024, 1);
      await waitFor(
        async () => {
          for (let i = 0; i < 50; i++) publisher.publish('devices/chatty/telemetry', payload, { qos: 0 });
          await new Promise((resolve) => setTimeout(resolve, 50));
          return iot.logs.find((line) => line.clientId === 'slow-reader' && line.msg === 'device disconnected');
        },
        'the slow reader to be cut off',
        20_000,
      );
      expect(iot.logs).toContainEqual(
        expect.objectContaining({
          msg: 'client error; connection closed',
          clientId: 'slow-reader',
          error: 'drain timeout',
        }),
      );
      expect(publisher.connected).toBe(true);
      expect(iot.broker.health()).toMatchObject({ status: 'ok', connectedDevices: 1, revocationFeed: 'off' });
    } finally {
      socket.destroy();
      await endAll(publisher);
      await iot.close();
      await issuer.stop();
    }
  });
});

describe('IoT broker: connection rate limit', () => {
  it('refuses connections from an address past its burst, and admits it again as the bucket refills', async () => {
    const issuer = await TestIssuer.start();
    // One token back every 4 s: the four connections below (the first verifies the token, fetching
    // the JWKS) must not outlast a refill, even on a loaded machine (at 2 per second they once did).
    const iot = await startTestIotBroker(issuer, { CONNECTION_BURST: '3', CONNECTION_RATE_PER_SECOND: '0.25' });
    const password = await issuer.token({ subject: 'thermostat-1', scope: 'device' });
    try {
      const outcomes = [];
      for (let i = 0; i < 4; i++)
        outcomes.push(await attemptConnect(iot.mqttUrl, { clientId: 'thermostat-1', password }));
      expect(outcomes.map((o) => o.connected)).toEqual([true, true, true, false]);
      expect(outcomes[3]).toEqual({ connected: false, closedWithoutConnack: true });
      expect(iot.logs).toContainEqual(
        expect.objectContaining({
          msg: expect.stringContaining('connection rate limit'),
          remoteAddress: '127.0.0.1',
          refused: 1,
        }),
      );
      const later = await waitFor(async () => {
        const attempt = await attemptConnect(iot.mqttUrl, { clientId: 'thermostat-1', password });
        return attempt.connected ? attempt : undefined;
      }, 'the bucket to refill');
      await endAll(...outcomes.map((o) => (o.connected ? o.client : undefined)), later.client);
    } finally {
      await iot.close();
      await issuer.stop();
    }
  });
});
