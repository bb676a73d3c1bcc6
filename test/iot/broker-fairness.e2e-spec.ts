import type { MqttClient } from 'mqtt';
import { connect as connectTcp, type Socket } from 'node:net';
import { collectMessages, connectDevice, endAll, grantedQos, type ReceivedMessage, waitFor } from '../support/mqtt-test-client.js';
import { PacketType, packetTypes, rawConnect, rawPublish, rawSubscribe, rawUnsubscribe } from '../support/mqtt-packets.js';
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
  const commandTopic = (last: Buffer | string) => Buffer.concat([Buffer.from('devices/thermostat-1/commands/'), Buffer.from(last)]);

  /** Connects over a raw socket and waits for the CONNACK, so that what follows is judged in a live session. */
  async function rawSessionOf(clientId: string, scope: string): Promise<RawSession> {
    const session = await openRaw(iot.mqttPort, rawConnect({ clientId, username: clientId, password: await token(clientId, scope) }));
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
    thermostat = await connectDevice(iot.mqttUrl, { clientId: 'thermostat-1', password: await token('thermostat-1', 'device') });
    inbox = collectMessages(thermostat);
    expect(await grantedQos(thermostat, ['devices/thermostat-1/commands/#'])).toEqual([1]);
    hub = await connectDevice(iot.mqttUrl, { clientId: 'hub-1', password: await token('hub-1', 'devices:control:thermostat-*') });
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
    const other = await connectDevice(iot.mqttUrl, { clientId: 'thermostat-2', password: await token('thermostat-2', 'device') });
    const otherInbox = collectMessages(other);
    expect(await grantedQos(other, ['devices/thermostat-2/commands/température/#'])).toEqual([1]);
    await hub.publishAsync('devices/thermostat-2/commands/température/consigne', '21.5', { qos: 1 });
    const command = await waitFor(() => otherInbox.find((m) => m.topic === 'devices/thermostat-2/commands/température/consigne'), 'the command on a non-ASCII topic');
    expect(command.payload.toString()).toBe('21.5');
    await endAll(other);
  });

  it('closes a hub that publishes to an ill-formed topic, and delivers nothing', async () => {
    const rogue = await rawSessionOf('hub-3', 'devices:control:thermostat-*');
    rogue.socket.write(rawPublish(16, commandTopic(ILL_FORMED)));
    await rogue.whenClosed;
    expect(packetTypes(rogue.received())).toEqual([PacketType.CONNACK]);
    expect(iot.logs).toContainEqual(expect.objectContaining({ msg: STRING_VIOLATION, reason: 'ill_formed_string', packet: 'PUBLISH', field: 'topic', remoteAddress: '127.0.0.1' }));
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
    expect(iot.logs).toContainEqual(expect.objectContaining({ msg: STRING_VIOLATION, packet: 'PUBLISH', field: 'topic' }));
    await markerCommand();
    expect(inbox.map((m) => m.topic)).toEqual(['devices/thermostat-1/commands/température']);
  });

  it.each([
    ['SUBSCRIBE', PacketType.SUBACK, rawSubscribe(Buffer.concat([Buffer.from('devices/thermostat-9/commands/'), Buffer.from([0xff, 0xfe])]), 7, 1)],
    ['UNSUBSCRIBE', PacketType.UNSUBACK, rawUnsubscribe(Buffer.concat([Buffer.from('devices/thermostat-9/commands/'), Buffer.from([0xff, 0xfe])]), 7)],
  ])('closes a device that sends a %s with an ill-formed filter, without acknowledging it', async (packet, acknowledgement, bytes) => {
    const rogue = await rawSessionOf('thermostat-9', 'device');
    rogue.socket.write(bytes);
    await rogue.whenClosed;
    expect(packetTypes(rogue.received())).not.toContain(acknowledgement);
    expect(iot.logs).toContainEqual(expect.objectContaining({ msg: STRING_VIOLATION, packet, field: 'topic_filter' }));
  });

  it.each([
    ['client id', 'client_id', { clientId: Buffer.concat([Buffer.from('hub-'), ILL_FORMED]), username: 'hub-3' }],
    ['username', 'username', { clientId: 'hub-3', username: Buffer.concat([Buffer.from('hub-'), ILL_FORMED]) }],
    ['will topic', 'will_topic', { clientId: 'hub-3', username: 'hub-3', will: { topic: commandTopic(ILL_FORMED), payload: Buffer.from('{"setpoint":30}') } }],
  ])('closes a connection whose CONNECT has an ill-formed %s, without a CONNACK', async (_case, field, fields) => {
    const rogue = await openRaw(iot.mqttPort, rawConnect({ ...fields, password: await token('hub-3', 'devices:control:thermostat-*') }));
    await rogue.whenClosed;
    expect(packetTypes(rogue.received())).toEqual([]);
    expect(iot.logs).toContainEqual(expect.objectContaining({ msg: STRING_VIOLATION, packet: 'CONNECT', field }));
    await markerCommand();
    expect(inbox.map((m) => m.topic)).toEqual(['devices/thermostat-1/commands/température']);
  });
});
