import type { MqttClient } from 'mqtt';
import { connect as connectTcp, type Socket } from 'node:net';
import {
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  type ReceivedMessage,
  waitFor,
} from '../support/mqtt-test-client.js';
import {
  PacketType,
  packetTypes,
  rawConnect,
  rawPublish,
  rawSubscribe,
  rawUnsubscribe,
} from '../support/mqtt-packets.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

/** A raw TCP connection to the broker: what it received so far, and whether the broker closed it. */
interface RawSession {
  socket: Socket;
  received(): Buffer;
  readonly closed: boolean;
  whenClosed: Promise<void>;
}

function openRaw(port: number, bytes: Buffer): Promise<RawSession> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const socket = connectTcp(port, '127.0.0.1', () => {
      socket.write(bytes);
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        get closed() {
          return closed;
        },
        whenClosed,
      });
    });
    const whenClosed = new Promise<void>((done) => socket.on('close', () => ((closed = true), done())));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

const ILL_FORMED = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);
const STRING_VIOLATION = 'connection closed: a string is not well-formed UTF-8 or contains U+0000 (MQTT 3.1.1 §1.5.3)';

describe('IoT broker: topics, filters and CONNECT strings must be well-formed UTF-8 (MQTT 3.1.1 §1.5.3)', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let thermostat: MqttClient;
  let hub: MqttClient;
  let inbox: ReceivedMessage[];

  const token = (clientId: string, scope: string) => issuer.token({ subject: clientId, scope });
  const commandTopic = (last: Buffer | string) =>
    Buffer.concat([Buffer.from('devices/thermostat-1/commands/'), Buffer.from(last)]);

  /** Connects over a raw socket and waits for the CONNACK, so that what follows is judged in a live session. */
  async function rawSessionOf(clientId: string, scope: string): Promise<RawSession> {
    const session = await openRaw(
      iot.mqttPort,
      rawConnect({ clientId, username: clientId, password: await token(clientId, scope) }),
    );
    await waitFor(() => packetTypes(session.received()).includes(PacketType.CONNACK), `${clientId}'s CONNACK`);
    return session;
  }

  /** A well-formed command sent after the case under test: once it arrives, whatever came before has been delivered too. */
  async function markerCommand(): Promise<void> {
    const id = `marker-${Math.random()}`;
    await hub.publishAsync('devices/thermostat-1/commands/température', JSON.stringify({ id }), { qos: 1 });
    await waitFor(() => inbox.find((m) => m.json().id === id), 'the marker command');
  }

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer);
    thermostat = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-1',
      password: await token('thermostat-1', 'device'),
    });
    inbox = collectMessages(thermostat);
    expect(await grantedQos(thermostat, ['devices/thermostat-1/commands/#'])).toEqual([1]);
    hub = await connectDevice(iot.mqttUrl, {
      clientId: 'hub-1',
      password: await token('hub-1', 'devices:control:thermostat-*'),
    });
  });

  beforeEach(() => {
    inbox.length = 0;
    iot.logs.length = 0;
  });

  afterAll(async () => {
    await endAll(thermostat, hub);
    await iot.close();
    await issuer.stop();
  });

  it('carries a well-formed non-ASCII topic, and grants a well-formed non-ASCII filter', async () => {
    const other = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-2',
      password: await token('thermostat-2', 'device'),
    });
    const otherInbox = collectMessages(other);
    expect(await grantedQos(other, ['devices/thermostat-2/commands/température/#'])).toEqual([1]);
    await hub.publishAsync('devices/thermostat-2/commands/température/consigne', '21.5', { qos: 1 });
    const command = await waitFor(
      () => otherInbox.find((m) => m.topic === 'devices/thermostat-2/commands/température/consigne'),
      'the command on a non-ASCII topic',
    );
    expect(command.payload.toString()).toBe('21.5');
    await endAll(other);
  });

  it('closes a hub that publishes to an ill-formed topic, and delivers nothing', async () => {
    const rogue = await rawSessionOf('hub-3', 'devices:control:thermostat-*');
    rogue.socket.write(rawPublish(16, commandTopic(ILL_FORMED)));
    await rogue.whenClosed;
    expect(packetTypes(rogue.received())).toEqual([PacketType.CONNACK]);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        msg: STRING_VIOLATION,
        reason: 'ill_formed_string',
        packet: 'PUBLISH',
        field: 'topic',
        remoteAddress: '127.0.0.1',
      }),
    );
    await markerCommand();
    expect(inbox.map((m) => m.topic)).toEqual(['devices/thermostat-1/commands/température']);
  });

  it.each([
    ['U+0000', Buffer.from('a\0b')],
    ['an encoded UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ])('closes a hub that publishes to a topic with %s, and delivers nothing', async (_case, bytes) => {
    const rogue = await rawSessionOf('hub-3', 'devices:control:thermostat-*');
    rogue.socket.write(rawPublish(16, commandTopic(bytes)));
    await rogue.whenClosed;
    expect(iot.logs).toContainEqual(
      expect.objectContaining({ msg: STRING_VIOLATION, packet: 'PUBLISH', field: 'topic' }),
    );
    await markerCommand();
    expect(inbox.map((m) => m.topic)).toEqual(['devices/thermostat-1/commands/température']);
  });

  it.each([
    [
      'SUBSCRIBE',
      PacketType.SUBACK,
      rawSubscribe(Buffer.concat([Buffer.from('devices/thermostat-9/commands/'), Buffer.from([0xff, 0xfe])]), 7, 1),
    ],
    [
      'UNSUBSCRIBE',
      PacketType.UNSUBACK,
      rawUnsubscribe(Buffer.concat([Buffer.from('devices/thermostat-9/commands/'), Buffer.from([0xff, 0xfe])]), 7),
    ],
  ])(
    'closes a device that sends a %s with an ill-formed filter, without acknowledging it',
    async (packet, acknowledgement, bytes) => {
      const rogue = await rawSessionOf('thermostat-9', 'device');
      rogue.socket.write(bytes);
      await rogue.whenClosed;
      expect(packetTypes(rogue.received())).not.toContain(acknowledgement);
      expect(iot.logs).toContainEqual(
        expect.objectContaining({ msg: STRING_VIOLATION, packet, field: 'topic_filter' }),
      );
    },
  );

  it.each([
    ['client id', 'client_id', { clientId: Buffer.concat([Buffer.from('hub-'), ILL_FORMED]), username: 'hub-3' }],
    ['username', 'username', { clientId: 'hub-3', username: Buffer.concat([Buffer.from('hub-'), ILL_FORMED]) }],
    [
      'will topic',
      'will_topic',
      {
        clientId: 'hub-3',
        username: 'hub-3',
        will: { topic: commandTopic(ILL_FORMED), payload: Buffer.from('{"setpoint":30}') },
      },
    ],
  ])('closes a connection whose CONNECT has an ill-formed %s, without a CONNACK', async (_case, field, fields) => {
    const rogue = await openRaw(
      iot.mqttPort,
      rawConnect({ ...fields, password: await token('hub-3', 'devices:control:thermostat-*') }),
    );
    await rogue.whenClosed;
    expect(packetTypes(rogue.received())).toEqual([]);
    expect(iot.logs).toContainEqual(expect.objectContaining({ msg: STRING_VIOLATION, packet: 'CONNECT', field }));
    await markerCommand();
    expect(inbox.map((m) => m.topic)).toEqual(['devices/thermostat-1/commands/température']);
  });
});

describe('IoT broker: publish budget per connection', () => {
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
  });
  afterAll(async () => {
    await issuer.stop();
  });

  it.each([
    ['messages', { DEVICE_PUBLISH_MESSAGES_PER_SECOND: '5' }, 16],
    ['bytes', { DEVICE_PUBLISH_BYTES_PER_SECOND: '10240' }, 2048],
  ])(
    'slows a device over its %s budget: a subscriber gets no more than the budget, in order, and nothing is lost',
    async (_budget, env, payloadBytes) => {
      const perSecond = 5;
      const iot = await startTestIotBroker(issuer, env);
      const device = await connectDevice(iot.mqttUrl, {
        clientId: 'thermostat-1',
        password: await issuer.token({ subject: 'thermostat-1', scope: 'device' }),
      });
      const dashboard = await connectDevice(iot.mqttUrl, {
        clientId: 'dashboard',
        password: await issuer.token({ subject: 'dashboard', scope: 'devices:read:*' }),
      });
      try {
        const arrivals: Array<{ n: number; at: number }> = [];
        dashboard.on('message', (_topic, payload) => arrivals.push({ n: payload.readUInt32BE(0), at: Date.now() }));
        expect(await grantedQos(dashboard, ['devices/+/telemetry'], 0)).toEqual([0]);

        const count = 25;
        const startedAt = Date.now();
        for (let n = 0; n < count; n++) {
          const payload = Buffer.alloc(payloadBytes);
          payload.writeUInt32BE(n, 0);
          device.publish('devices/thermostat-1/telemetry', payload, { qos: 0 });
        }
        await waitFor(() => arrivals.length === count, 'every message to arrive', 30_000);

        expect(arrivals.map((arrival) => arrival.n)).toEqual([...Array(count).keys()]);
        // A full bucket (one second's worth) at first, then `perSecond`: the k-th message cannot arrive sooner.
        for (const [k, arrival] of arrivals.entries())
          expect(arrival.at - startedAt).toBeGreaterThanOrEqual(((k + 1 - perSecond) * 1000) / perSecond);
        expect(iot.broker.health().publishBudget).toEqual({ delayedPublishes: expect.any(Number), episodes: 1 });
        expect(iot.broker.health().publishBudget.delayedPublishes).toBeGreaterThan(0);
        expect(iot.logs.filter((line) => line.msg.startsWith('publish budget exceeded'))).toEqual([
          expect.objectContaining({ clientId: 'thermostat-1', kind: 'device' }),
        ]);
        expect(device.connected).toBe(true);
      } finally {
        await endAll(device, dashboard);
        await iot.close();
      }
    },
  );

  it("gives a service (its token's client_kind) the service budget", async () => {
    const iot = await startTestIotBroker(issuer, {
      DEVICE_PUBLISH_MESSAGES_PER_SECOND: '5',
      SERVICE_PUBLISH_MESSAGES_PER_SECOND: '1000',
    });
    const password = await issuer.token({
      subject: 'fleet-service',
      scope: 'devices:control:*',
      claims: { client_kind: 'service' },
    });
    const service = await connectDevice(iot.mqttUrl, { clientId: 'fleet-service', password });
    const thermostat = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-1',
      password: await issuer.token({ subject: 'thermostat-1', scope: 'device' }),
    });
    try {
      const inbox = collectMessages(thermostat);
      await grantedQos(thermostat, ['devices/thermostat-1/commands/#'], 0);
      for (let n = 0; n < 50; n++) service.publish('devices/thermostat-1/commands/setpoint', String(n), { qos: 0 });
      await waitFor(() => inbox.length === 50, 'every command to arrive', 30_000);
      expect(iot.broker.health().publishBudget).toEqual({ delayedPublishes: 0, episodes: 0 });
    } finally {
      await endAll(service, thermostat);
      await iot.close();
    }
  });
});

describe('IoT broker: a subscriber that stops reading', () => {
  it('does not hold up a healthy subscriber of the same topic: its QoS 0 overflow is dropped, counted and logged once', async () => {
    const issuer = await TestIssuer.start();
    const iot = await startTestIotBroker(issuer, {
      QOS0_BACKLOG_BYTES: '65536',
      // Long enough that, were delivery held up by the slow reader, the test would see it.
      DRAIN_TIMEOUT_MS: '120000',
      DEVICE_PUBLISH_MESSAGES_PER_SECOND: '100000',
      DEVICE_PUBLISH_BYTES_PER_SECOND: '1000000000',
    });
    const publisher = await connectDevice(iot.mqttUrl, {
      clientId: 'chatty',
      password: await issuer.token({ subject: 'chatty', scope: 'device' }),
    });
    const healthy = await connectDevice(iot.mqttUrl, {
      clientId: 'dashboard',
      password: await issuer.token({ subject: 'dashboard', scope: 'devices:read:*' }),
    });
    const password = await issuer.token({ subject: 'slow-reader', scope: 'devices:read:*' });
    const slow = await openRaw(
      iot.mqttPort,
      Buffer.concat([
        rawConnect({ clientId: 'slow-reader', username: 'slow-reader', password }),
        rawSubscribe('devices/+/telemetry'),
      ]),
    );
    try {
      const marks: number[] = [];
      healthy.on('message', (_topic, payload) => {
        if (payload.length < 64) marks.push(Number(payload.toString()));
      });
      expect(await grantedQos(healthy, ['devices/+/telemetry'], 0)).toEqual([0]);
      await waitFor(() => packetTypes(slow.received()).includes(PacketType.SUBACK), 'the slow reader to subscribe');
      // From now on the slow reader reads nothing: the kernel's buffers fill, then the broker's.
      slow.socket.pause();

      const bulk = Buffer.alloc(60 * 1024, 1);
      const overflowing = () => iot.logs.filter((line) => line.msg.startsWith('subscriber is not reading'));
      await waitFor(
        async () => {
          for (let i = 0; i < 20; i++) publisher.publish('devices/chatty/telemetry', bulk, { qos: 0 });
          await new Promise((resolve) => setTimeout(resolve, 50));
          return overflowing().length > 0;
        },
        "the slow reader's backlog to fill",
        30_000,
      );

      for (let mark = 0; mark < 10; mark++) publisher.publish('devices/chatty/telemetry', String(mark), { qos: 0 });
      await waitFor(
        () => marks.length === 10,
        'the healthy subscriber to get every message sent after the backlog filled',
        20_000,
      );
      expect(marks).toEqual([...Array(10).keys()]);

      expect(slow.closed).toBe(false);
      expect(overflowing()).toEqual([expect.objectContaining({ clientId: 'slow-reader', limitBytes: 65536 })]);
      const { slowSubscribers } = iot.broker.health();
      expect(slowSubscribers.episodes).toBe(1);
      expect(slowSubscribers.droppedQos0Messages).toBeGreaterThanOrEqual(10);
    } finally {
      slow.socket.destroy();
      await endAll(publisher, healthy);
      await iot.close();
      await issuer.stop();
    }
  });
});
