import type { MqttClient } from 'mqtt';
import {
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  type ReceivedMessage,
  waitFor,
  whenClosed,
} from '../support/mqtt-test-client.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const REFUSED = 128;

describe('IoT broker: topic authorisation from scopes', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let thermostat: MqttClient;
  let otherThermostat: MqttClient;
  let hub: MqttClient;
  let dashboard: MqttClient;
  let thermostatInbox: ReceivedMessage[];
  let otherInbox: ReceivedMessage[];
  let hubInbox: ReceivedMessage[];
  let dashboardInbox: ReceivedMessage[];

  const connect = async (clientId: string, scope: string) =>
    connectDevice(iot.mqttUrl, { clientId, password: await issuer.token({ subject: clientId, scope }) });

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer);
  });

  beforeEach(async () => {
    thermostat = await connect('thermostat-1', 'device');
    otherThermostat = await connect('thermostat-2', 'device');
    hub = await connect('hub-1', 'devices:control:thermostat-*');
    dashboard = await connect('dashboard', 'devices:read:*');
    [thermostatInbox, otherInbox, hubInbox, dashboardInbox] = [thermostat, otherThermostat, hub, dashboard].map(
      collectMessages,
    );
    expect(await grantedQos(thermostat, ['devices/thermostat-1/commands/#'])).toEqual([1]);
    expect(await grantedQos(otherThermostat, ['devices/thermostat-2/commands/#'])).toEqual([1]);
    expect(await grantedQos(hub, ['devices/thermostat-1/telemetry', 'devices/thermostat-1/commands/ack'])).toEqual([
      1, 1,
    ]);
  });

  afterEach(async () => {
    await endAll(thermostat, otherThermostat, hub, dashboard);
  });

  afterAll(async () => {
    await iot.close();
    await issuer.stop();
  });

  it('carries commands from the hub to its thermostat, and acknowledgements and telemetry back', async () => {
    expect(await grantedQos(dashboard, ['devices/+/telemetry', 'devices/+/state'])).toEqual([1, 1]);
    await hub.publishAsync('devices/thermostat-1/commands/setpoint', JSON.stringify({ id: 'c1', setpoint: 21 }), {
      qos: 1,
    });
    const command = await waitFor(
      () => thermostatInbox.find((m) => m.topic === 'devices/thermostat-1/commands/setpoint'),
      'the command',
    );
    expect(command.json()).toEqual({ id: 'c1', setpoint: 21 });

    await thermostat.publishAsync(
      'devices/thermostat-1/commands/ack',
      JSON.stringify({ id: 'c1', status: 'applied' }),
      { qos: 1 },
    );
    await thermostat.publishAsync('devices/thermostat-1/telemetry', JSON.stringify({ temperature: 19.5 }), { qos: 0 });
    await thermostat.publishAsync('devices/thermostat-1/state', JSON.stringify({ setpoint: 21 }), {
      qos: 1,
      retain: true,
    });
    await waitFor(() => hubInbox.find((m) => m.topic === 'devices/thermostat-1/commands/ack'), 'the ack at the hub');
    await waitFor(() => hubInbox.find((m) => m.topic === 'devices/thermostat-1/telemetry'), 'telemetry at the hub');
    await waitFor(() => dashboardInbox.find((m) => m.topic === 'devices/thermostat-1/state'), 'state at the dashboard');
    expect(otherInbox).toEqual([]);
  });

  it('serves retained state to a reader that subscribes later', async () => {
    await thermostat.publishAsync('devices/thermostat-1/state', JSON.stringify({ setpoint: 20 }), {
      qos: 1,
      retain: true,
    });
    expect(await grantedQos(dashboard, ['devices/thermostat-1/state'])).toEqual([1]);
    const state = await waitFor(
      () => dashboardInbox.find((m) => m.topic === 'devices/thermostat-1/state'),
      'retained state',
    );
    expect(state).toMatchObject({ retain: true });
    expect(state.json()).toEqual({ setpoint: 20 });
  });

  it.each([
    ['#'],
    ['devices/#'],
    ['devices/+/commands/#'],
    ['devices/thermostat-1/#'],
    ['$SYS/#'],
    ['$share/g/devices/#'],
    ['$share/g/devices/thermostat-1/commands/#'],
    ['devices/thermostat-2/commands/#'],
    ['devices/thermostat-2/telemetry'],
    ['+/thermostat-1/commands/#'],
  ])('refuses a thermostat subscribing to %s with SUBACK 0x80, and keeps its session', async (filter) => {
    expect(await grantedQos(thermostat, [filter, 'devices/thermostat-1/commands/+'])).toEqual([REFUSED, 1]);
    expect(thermostat.connected).toBe(true);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({ msg: 'subscription refused: filter not allowed', clientId: 'thermostat-1', filter }),
    );
    await hub.publishAsync('devices/thermostat-2/commands/mode', JSON.stringify({ id: 'c2', mode: 'off' }), { qos: 1 });
    await waitFor(() => otherInbox.length === 1, "the other thermostat's command");
    await hub.publishAsync('devices/thermostat-1/commands/mode', JSON.stringify({ id: 'c3', mode: 'off' }), { qos: 1 });
    await waitFor(() => thermostatInbox.length === 1, 'its own command');
    expect(thermostatInbox.map((m) => m.topic)).toEqual(['devices/thermostat-1/commands/mode']);
  });

  it('refuses a hub subscribing to the commands it sends, or to devices outside its group', async () => {
    expect(
      await grantedQos(hub, [
        'devices/thermostat-1/commands/#',
        'devices/lock-1/telemetry',
        'devices/+/telemetry',
        'devices/thermostat-9/state',
      ]),
    ).toEqual([REFUSED, REFUSED, REFUSED, 1]);
  });

  it('closes a thermostat that publishes a command to another device, and delivers nothing', async () => {
    const closed = whenClosed(thermostat);
    thermostat.publish('devices/thermostat-2/commands/setpoint', JSON.stringify({ id: 'evil', setpoint: 35 }), {
      qos: 1,
    });
    await closed;
    // A command sent after the refusal arrives alone: the refused one never entered the broker.
    await hub.publishAsync('devices/thermostat-2/commands/setpoint', JSON.stringify({ id: 'legit', setpoint: 20 }), {
      qos: 1,
    });
    await waitFor(() => otherInbox.length > 0, 'the legitimate command');
    expect(otherInbox.map((m) => m.json())).toEqual([{ id: 'legit', setpoint: 20 }]);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'publish refused: topic not allowed',
        clientId: 'thermostat-1',
        topic: 'devices/thermostat-2/commands/setpoint',
      }),
    );
    expect(otherThermostat.connected && hub.connected).toBe(true);
  });

  it.each([
    ['forges an acknowledgement', 'devices/thermostat-1/commands/ack', false],
    ['retains a command', 'devices/thermostat-1/commands/setpoint', true],
    ['commands a device outside its group', 'devices/lock-1/commands/open', false],
    ['publishes telemetry for a device', 'devices/thermostat-1/telemetry', false],
  ])('closes a hub that %s', async (_case, topic, retain) => {
    const lockInbox: ReceivedMessage[] = [];
    const lock = await connect('lock-1', 'device');
    lockInbox.push(...collectMessages(lock));
    await grantedQos(lock, ['devices/lock-1/commands/#']);
    const closed = whenClosed(hub);
    hub.publish(topic, JSON.stringify({ id: 'x' }), { qos: 1, retain });
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hubInbox.filter((m) => m.topic === topic)).toEqual([]);
    expect(thermostatInbox).toEqual([]);
    expect(lockInbox).toEqual([]);
    await endAll(lock);
  });

  it('lets a reader read and nothing else', async () => {
    const closed = whenClosed(dashboard);
    dashboard.publish('devices/thermostat-1/commands/setpoint', JSON.stringify({ id: 'x', setpoint: 30 }), { qos: 1 });
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(thermostatInbox).toEqual([]);
  });
});
