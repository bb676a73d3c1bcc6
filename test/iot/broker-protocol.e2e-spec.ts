import mqtt from 'mqtt';
import { connect as connectTcp, type Socket } from 'node:net';
import { encodeRemainingLength, rawConnect, rawPublish, rawSubscribe } from '../support/mqtt-packets.js';
import {
  attemptConnect,
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  waitFor,
} from '../support/mqtt-test-client.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const packet = (firstByte: number, body: number[] | Buffer = []) =>
  Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), Buffer.from(body)]);
const utf8 = (value: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(value)]), Buffer.from(value)]);
const publishBody = (topic: string, packetId?: number) =>
  Buffer.concat([utf8(topic), Buffer.from(packetId === undefined ? [] : [0, packetId]), Buffer.from('1')]);
const TOPIC = 'devices/prober/telemetry';

/**
 * MQTT 3.1.1 says the server MUST close the network connection on each of these (§4.8 and the
 * statements cited); the broker's transport guard does, before aedes parses the packet, and logs why.
 */
const AFTER_CONNECT: [string, Buffer, { packet: string; rule: string }][] = [
  [
    'a second CONNECT (MQTT-3.1.0-2)',
    rawConnect({ clientId: 'prober', username: 'prober', password: 'x' }),
    { packet: 'CONNECT', rule: 'second_connect' },
  ],
  [
    'a QoS 0 PUBLISH to a topic name with # (MQTT-3.3.2-2)',
    rawPublish(1, 'devices/prober/#'),
    { packet: 'PUBLISH', rule: 'wildcard_in_topic_name' },
  ],
  [
    'a QoS 1 PUBLISH to a topic name with + (MQTT-3.3.2-2)',
    packet(0x32, publishBody('devices/+/telemetry', 1)),
    { packet: 'PUBLISH', rule: 'wildcard_in_topic_name' },
  ],
  [
    'a PUBLISH at QoS 3 (MQTT-3.3.1-4)',
    packet(0x36, publishBody(TOPIC, 1)),
    { packet: 'PUBLISH', rule: 'publish_qos' },
  ],
  [
    'a QoS 0 PUBLISH with DUP set (MQTT-3.3.1-2)',
    packet(0x38, publishBody(TOPIC)),
    { packet: 'PUBLISH', rule: 'dup_at_qos_0' },
  ],
  [
    'a SUBSCRIBE without a topic filter (MQTT-3.8.3-3)',
    packet(0x82, [0, 1]),
    { packet: 'SUBSCRIBE', rule: 'no_topic_filter' },
  ],
  [
    'a SUBSCRIBE without even a packet identifier (MQTT-3.8.3-3)',
    packet(0x82),
    { packet: 'SUBSCRIBE', rule: 'no_topic_filter' },
  ],
  [
    'an UNSUBSCRIBE without a topic filter (MQTT-3.10.3-2)',
    packet(0xa2, [0, 1]),
    { packet: 'UNSUBSCRIBE', rule: 'no_topic_filter' },
  ],
  ['a PINGREQ with a body (§3.12)', packet(0xc0, [0, 0]), { packet: 'PINGREQ', rule: 'body_not_empty' }],
  ['a DISCONNECT with a body (§3.14)', packet(0xe0, [0]), { packet: 'DISCONNECT', rule: 'body_not_empty' }],
  [
    'a CONNECT with fixed-header flags 0001 (§2.2.2)',
    Buffer.concat([
      Buffer.from([0x11]),
      rawConnect({ clientId: 'prober', username: 'prober', password: 'x' }).subarray(1),
    ]),
    { packet: 'CONNECT', rule: 'header_flags' },
  ],
  ['a PUBACK with fixed-header flags 0010 (§2.2.2)', packet(0x42, [0, 1]), { packet: 'PUBACK', rule: 'header_flags' }],
  ['a PUBREC with fixed-header flags 1000 (§2.2.2)', packet(0x58, [0, 1]), { packet: 'PUBREC', rule: 'header_flags' }],
  ['a PUBREL with fixed-header flags 0000 (§3.6.1)', packet(0x60, [0, 1]), { packet: 'PUBREL', rule: 'header_flags' }],
  [
    'a PUBCOMP with fixed-header flags 0001 (§2.2.2)',
    packet(0x71, [0, 1]),
    { packet: 'PUBCOMP', rule: 'header_flags' },
  ],
  [
    'a SUBSCRIBE with fixed-header flags 0000 (§3.8.1)',
    packet(0x80, Buffer.concat([Buffer.from([0, 1]), utf8('devices/prober/commands/#'), Buffer.from([0])])),
    { packet: 'SUBSCRIBE', rule: 'header_flags' },
  ],
  [
    'an UNSUBSCRIBE with fixed-header flags 0011 (§3.10.1)',
    packet(0xa3, Buffer.concat([Buffer.from([0, 1]), utf8('devices/prober/commands/#')])),
    { packet: 'UNSUBSCRIBE', rule: 'header_flags' },
  ],
  ['a PINGREQ with fixed-header flags 0100 (§2.2.2)', packet(0xc4), { packet: 'PINGREQ', rule: 'header_flags' }],
  ['a DISCONNECT with fixed-header flags 0001 (§2.2.2)', packet(0xe1), { packet: 'DISCONNECT', rule: 'header_flags' }],
  ['a CONNACK from the client (§3.2)', packet(0x20, [0, 0]), { packet: 'CONNACK', rule: 'server_only' }],
  ['a SUBACK from the client (§3.9)', packet(0x90, [0, 1, 0]), { packet: 'SUBACK', rule: 'server_only' }],
  ['an UNSUBACK from the client (§3.11)', packet(0xb0, [0, 1]), { packet: 'UNSUBACK', rule: 'server_only' }],
  ['a PINGRESP from the client (§3.13)', packet(0xd0), { packet: 'PINGRESP', rule: 'server_only' }],
  ['the reserved packet type 0 (§2.2.1)', packet(0x00), { packet: 'RESERVED', rule: 'reserved_type' }],
  ['the reserved packet type 15 (§2.2.1)', packet(0xf0), { packet: 'RESERVED', rule: 'reserved_type' }],
];

const BEFORE_CONNECT: [string, Buffer, { packet: string; rule: string }][] = [
  ['a PINGREQ (MQTT-3.1.0-1)', packet(0xc0), { packet: 'PINGREQ', rule: 'connect_first' }],
  [
    'a SUBSCRIBE (MQTT-3.1.0-1)',
    rawSubscribe('devices/prober/commands/#'),
    { packet: 'SUBSCRIBE', rule: 'connect_first' },
  ],
  [
    'a CONNECT with fixed-header flags 0010 (§2.2.2)',
    Buffer.concat([
      Buffer.from([0x12]),
      rawConnect({ clientId: 'prober', username: 'prober', password: 'x' }).subarray(1),
    ]),
    { packet: 'CONNECT', rule: 'header_flags' },
  ],
];

describe('IoT broker: MQTT 3.1.1 protocol violations', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer);
  });

  afterAll(async () => {
    await iot.close();
    await issuer.stop();
  });

  /** A raw TCP connection; `closed` resolves when the broker closes it. */
  function open(): Promise<{ socket: Socket; received: Buffer[]; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const received: Buffer[] = [];
      const socket = connectTcp(iot.mqttPort, '127.0.0.1', () =>
        resolve({ socket, received, closed: new Promise((done) => socket.on('close', () => done())) }),
      );
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', () => undefined);
      socket.once('error', reject);
    });
  }

  /** Whether the broker closes `socket` within `ms`. */
  const closesWithin = (closed: Promise<void>, ms: number) =>
    Promise.race([closed.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), ms))]);

  /** The broker closes the connection within 2 s and logs, since `logsBefore`, the violation `expected`. */
  async function expectClosedForViolation(
    socket: Socket,
    closed: Promise<void>,
    logsBefore: number,
    expected: Record<string, unknown>,
  ): Promise<void> {
    const wasClosed = await closesWithin(closed, 2_000);
    socket.destroy();
    expect(wasClosed).toBe(true);
    expect(iot.logs.slice(logsBefore)).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'connection closed: MQTT protocol violation',
        reason: 'protocol_violation',
        ...expected,
      }),
    );
  }

  it.each(AFTER_CONNECT)(
    'closes a connection that sends %s after a successful CONNECT, and logs why',
    async (_case, bytes, expected) => {
      const logsBefore = iot.logs.length;
      const { socket, received, closed } = await open();
      socket.write(
        rawConnect({
          clientId: 'prober',
          username: 'prober',
          password: await issuer.token({ subject: 'prober', scope: 'device' }),
        }),
      );
      await waitFor(
        () => Buffer.concat(received).equals(Buffer.from([0x20, 0x02, 0x00, 0x00])),
        'the CONNACK accepting the device',
      );
      socket.write(bytes);
      await expectClosedForViolation(socket, closed, logsBefore, expected);
    },
  );

  it.each(AFTER_CONNECT)(
    'closes a connection that sends %s in the same write as its CONNECT, and logs why',
    async (_case, bytes, expected) => {
      const logsBefore = iot.logs.length;
      const { socket, closed } = await open();
      socket.write(
        Buffer.concat([
          rawConnect({
            clientId: 'prober',
            username: 'prober',
            password: await issuer.token({ subject: 'prober', scope: 'device' }),
          }),
          bytes,
        ]),
      );
      await expectClosedForViolation(socket, closed, logsBefore, expected);
    },
  );

  it.each(BEFORE_CONNECT)('closes a connection that opens with %s, and logs why', async (_case, bytes, expected) => {
    const logsBefore = iot.logs.length;
    const { socket, closed } = await open();
    socket.write(bytes);
    await expectClosedForViolation(socket, closed, logsBefore, expected);
  });

  it('serves mqtt.js through every packet a client sends (QoS 0, 1 and 2, ping, unsubscribe, disconnect) without a violation', async () => {
    const logsBefore = iot.logs.length;
    const password = await issuer.token({ subject: 'controller', scope: 'devices:control:* devices:read:*' });
    const controller = await connectDevice(iot.mqttUrl, { clientId: 'controller', password, keepalive: 1 });
    const device = await connectDevice(iot.wsUrl, {
      clientId: 'thermostat-1',
      password: await issuer.token({ subject: 'thermostat-1', scope: 'device' }),
    });
    const sent = new Set<string>(['connect']);
    for (const client of [controller, device]) client.on('packetsend', (sentPacket) => sent.add(sentPacket.cmd));
    expect(await grantedQos(device, ['devices/thermostat-1/commands/#'], 1)).toEqual([1]);
    expect(await grantedQos(controller, ['devices/+/telemetry'], 1)).toEqual([1]);
    const commands = collectMessages(device);
    const telemetry = collectMessages(controller);
    for (const qos of [0, 1, 2] as const) {
      await controller.publishAsync('devices/thermostat-1/commands/set', JSON.stringify({ qos }), { qos });
      await device.publishAsync('devices/thermostat-1/telemetry', JSON.stringify({ qos }), { qos });
    }
    await waitFor(() => commands.length === 3 && telemetry.length === 3, 'three commands and three readings');
    // With a keepalive of one second, mqtt.js pings while idle.
    await waitFor(() => sent.has('pingreq'), 'a PINGREQ', 5_000);
    await device.unsubscribeAsync('devices/thermostat-1/commands/#');
    expect(controller.connected && device.connected).toBe(true);
    await Promise.all([controller.endAsync(), device.endAsync()]);
    await waitFor(
      () => iot.logs.slice(logsBefore).filter((line) => line.msg === 'device disconnected').length === 2,
      'both clients to go',
    );
    expect([...sent].sort()).toEqual([
      'connect',
      'disconnect',
      'pingreq',
      'puback',
      'pubcomp',
      'publish',
      'pubrec',
      'pubrel',
      'subscribe',
      'unsubscribe',
    ]);
    expect(iot.logs.slice(logsBefore).filter((line) => line.level >= 40)).toEqual([]);
  });

  it('refuses an MQTT 5 client with a CONNACK (aedes serves 3.1 and 3.1.1 only), not as a protocol violation', async () => {
    const logsBefore = iot.logs.length;
    const password = await issuer.token({ subject: 'thermostat-5', scope: 'device' });
    const client = mqtt.connect(iot.mqttUrl, {
      clientId: 'thermostat-5',
      username: 'thermostat-5',
      password,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    const outcome = await new Promise<{ connected: boolean; error?: string }>((resolve) => {
      client.once('connect', () => resolve({ connected: true }));
      client.once('error', (error) => resolve({ connected: false, error: error.message }));
      client.once('close', () => resolve({ connected: false }));
    });
    client.end(true);
    expect(outcome).toEqual({ connected: false, error: 'Connection refused: Unacceptable protocol version' });
    expect(iot.logs.slice(logsBefore).filter((line) => line.reason === 'protocol_violation')).toEqual([]);
    const stillServed = await attemptConnect(iot.mqttUrl, {
      clientId: 'thermostat-4',
      password: await issuer.token({ subject: 'thermostat-4', scope: 'device' }),
    });
    expect(stillServed.connected).toBe(true);
    if (stillServed.connected) await endAll(stillServed.client);
  });
});
