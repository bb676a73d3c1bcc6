import type { MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { PacketType, qos0Payload, rawConnect, rawPackets, rawSubscribe } from '../support/mqtt-packets.js';
import { connectDevice, endAll, waitFor } from '../support/mqtt-test-client.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const BURST = 200;

/** A dashboard speaking MQTT over a WebSocket byte by byte, counting the frames the broker sends. */
async function rawWebSocketClient(url: string) {
  const socket = new WebSocket(url, 'mqtt');
  const frames: Buffer[] = [];
  socket.on('message', (data: Buffer) => frames.push(data));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const received = () => rawPackets(Buffer.concat(frames));
  return { socket, frames, received };
}

describe('IoT broker over WebSocket', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let thermostat: MqttClient | undefined;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer, { DEVICE_PUBLISH_MESSAGES_PER_SECOND: '100000' });
  });

  afterEach(async () => {
    await endAll(thermostat);
  });

  afterAll(async () => {
    await iot.close();
    await issuer.stop();
  });

  it('relays a burst of telemetry to a WebSocket subscriber in order, many packets to a frame (MQTT 3.1.1 §6)', async () => {
    const dashboard = await rawWebSocketClient(iot.wsUrl);
    try {
      const token = await issuer.token({ subject: 'dashboard', scope: 'devices:read:*' });
      dashboard.socket.send(rawConnect({ clientId: 'dashboard', username: 'dashboard', password: token }));
      dashboard.socket.send(rawSubscribe('devices/+/telemetry'));
      await waitFor(() => dashboard.received().some(({ type }) => type === PacketType.SUBACK), 'the SUBACK');
      expect(dashboard.received().map(({ type }) => type)).toEqual([PacketType.CONNACK, PacketType.SUBACK]);
      const [connack, suback] = dashboard.received();
      expect([...connack.body]).toEqual([0, 0]);
      expect([...suback.body]).toEqual([0, 1, 0]);

      thermostat = await connectDevice(iot.mqttUrl, {
        clientId: 'thermostat-1',
        password: await issuer.token({ subject: 'thermostat-1', scope: 'device' }),
      });
      const framesBefore = dashboard.frames.length;
      for (let i = 0; i < BURST; i++) thermostat.publish('devices/thermostat-1/telemetry', String(i), { qos: 0 });

      const publishes = await waitFor(() => {
        const received = dashboard.received().filter(({ type }) => type === PacketType.PUBLISH);
        return received.length === BURST && received;
      }, `${BURST} messages`);
      expect(publishes.map(({ body }) => qos0Payload(body).toString())).toEqual(
        Array.from({ length: BURST }, (_, i) => String(i)),
      );
      // Each PUBLISH used to leave in five frames: fixed header, remaining length, topic length, topic, payload.
      expect(dashboard.frames.length - framesBefore).toBeLessThan(BURST);
    } finally {
      dashboard.socket.terminate();
    }
  });

  it('sends a refused CONNECT its CONNACK before closing the WebSocket', async () => {
    const intruder = await rawWebSocketClient(iot.wsUrl);
    const closed = new Promise((resolve) => intruder.socket.once('close', resolve));
    intruder.socket.send(rawConnect({ clientId: 'thermostat-1', username: 'thermostat-1', password: 'not-a-token' }));
    await closed;
    expect(intruder.received()).toEqual([{ type: PacketType.CONNACK, body: Buffer.from([0, 4]) }]);
  });
});
