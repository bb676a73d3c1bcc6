import type { MqttClient } from 'mqtt';
import { loadDevicesConfig } from '../../apps/devices/src/config/devices.config.js';
import { createDeviceApp, type DeviceApp } from '../../apps/devices/src/devices.app.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { memoryLogger } from '../support/memory-logger.js';
import {
  attemptConnect,
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  waitFor,
  whenClosed,
} from '../support/mqtt-test-client.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const IOT = 'https://iot.tollgate.local';
const CRM = 'https://crm.tollgate.local';

/** The seed's device story with every part real: auth-server tokens, the broker, the thermostat and the hub apps. */
describe('IoT with the real auth-server', () => {
  let auth: AuthServerHarness;
  let iot: TestIotBroker;
  let thermostat: { id: string; secret: string };
  let hub: { id: string; secret: string };
  const apps: DeviceApp[] = [];
  const clients: MqttClient[] = [];

  const deviceToken = (client: { id: string; secret: string }) =>
    auth.token(client.id, client.secret, { resource: IOT });

  async function startDevice(env: Record<string, string>): Promise<DeviceApp> {
    const config = loadDevicesConfig({
      AUTH_ISSUER: auth.issuer,
      BROKER_URL: iot.mqttUrl,
      HEALTH_PORT: '0',
      RECONNECT_MIN_DELAY_MS: '50',
      RECONNECT_MAX_DELAY_MS: '400',
      ...env,
    });
    const app = createDeviceApp(config, { logger: memoryLogger(`device:${config.role}`).logger });
    await app.start();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    await auth.createResource(IOT, ['device', 'devices:control:thermostat-1', 'devices:read:*']);
    await auth.createResource(CRM, ['contacts:read']);
    thermostat = await auth.createClient({
      id: 'thermostat-1',
      name: 'Living-room thermostat',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['device'] }],
    });
    hub = await auth.createClient({
      id: 'hub-1',
      name: 'Home hub',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['devices:control:thermostat-1', 'devices:read:*'] }],
    });
    const broker = await auth.createClient({
      id: 'iot-broker',
      name: 'IoT broker',
      grants: [{ resource: auth.managementApi, scopes: ['revocations:read'] }],
    });
    iot = await startTestIotBroker(auth, {
      RESOURCE_INDICATOR: IOT,
      CLIENT_ID: broker.id,
      CLIENT_SECRET: broker.secret,
    });
    await waitFor(() => iot.broker.health().revocationFeed === 'connected', 'the broker follows the revocation feed');
  });
  afterAll(async () => {
    await endAll(...clients);
    for (const app of apps) await app.stop();
    await iot.close();
    await auth.stop();
  });

  it('the hub sets the target; the thermostat acknowledges and heats toward it', async () => {
    const dashboard = await auth.createClient({
      id: 'dashboard-1',
      name: 'Dashboard',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['devices:read:*'] }],
    });
    const view = await connectDevice(iot.mqttUrl, { clientId: dashboard.id, password: await deviceToken(dashboard) });
    clients.push(view);
    const messages = collectMessages(view);
    expect(await grantedQos(view, ['devices/thermostat-1/telemetry', 'devices/thermostat-1/commands/ack'])).toEqual([
      1, 1,
    ]);

    await startDevice({
      DEVICE_ROLE: 'thermostat',
      CLIENT_ID: thermostat.id,
      CLIENT_SECRET: thermostat.secret,
      THERMOSTAT_TICK_MS: '20',
      THERMOSTAT_SIMULATED_SECONDS_PER_TICK: '120',
      THERMOSTAT_TELEMETRY_INTERVAL_MS: '100',
      THERMOSTAT_INITIAL_TEMPERATURE: '18',
    });
    await startDevice({
      DEVICE_ROLE: 'hub',
      CLIENT_ID: hub.id,
      CLIENT_SECRET: hub.secret,
      HUB_THERMOSTAT_ID: thermostat.id,
      HUB_SCHEDULE: '00:00=24',
      HUB_TIME_ZONE: 'UTC',
      HUB_RECONCILE_INTERVAL_MS: '100',
      HUB_ACK_TIMEOUT_MS: '2000',
    });

    const ack = await waitFor(
      () =>
        messages.find(
          (m) =>
            m.topic === 'devices/thermostat-1/commands/ack' &&
            m.json<{ command: string; status: string }>().command === 'setpoint',
        ),
      'the thermostat acknowledging the hub’s setpoint',
    );
    expect(ack.json()).toMatchObject({ command: 'setpoint', status: 'applied', state: { setpoint: 24 } });
    await waitFor(() => {
      const last = messages
        .filter((m) => m.topic === 'devices/thermostat-1/telemetry')
        .at(-1)
        ?.json<{ temperature: number; setpoint: number }>();
      return last && last.setpoint === 24 && last.temperature > 20;
    }, 'telemetry moving toward 24 °C');
  });

  it('refuses a token for another audience and a token presented under another device’s id', async () => {
    const crmToken = await auth.token(
      (
        await auth.createClient({
          id: 'thermostat-2',
          name: 'x',
          kind: 'device',
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        })
      ).id,
      (await auth.api('POST', '/api/clients/thermostat-2/secrets', {})).body.clientSecret,
      { resource: CRM },
    );
    expect(await attemptConnect(iot.mqttUrl, { clientId: 'thermostat-2', password: crmToken })).toMatchObject({
      returnCode: 4,
    });
    expect(
      await attemptConnect(iot.mqttUrl, {
        clientId: 'thermostat-1',
        username: 'thermostat-1',
        password: await deviceToken(hub),
      }),
    ).toMatchObject({ returnCode: 5 });
  });

  it('closes a live session at once when the device’s tokens are revoked at the auth-server', async () => {
    const rogue = await auth.createClient({
      id: 'thermostat-9',
      name: 'Spare thermostat',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['device'] }],
    });
    const token = await deviceToken(rogue);
    const session = await connectDevice(iot.mqttUrl, { clientId: rogue.id, password: token });
    clients.push(session);
    // Connected twice, the token is one the broker remembers: it answers such a reconnect at once.
    const again = await connectDevice(iot.mqttUrl, { clientId: rogue.id, password: token });
    clients.push(again);
    const closed = whenClosed(again);
    const revokedAt = Date.now();
    expect((await auth.api('POST', `/api/clients/${rogue.id}/revoke-tokens`)).status).toBe(200);
    await closed;
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(iot.broker.sessions.summaries().map((s) => s.clientId)).not.toContain(rogue.id);
    // The remembered token is refused once revoked, however fast the device comes back with it.
    expect(await attemptConnect(iot.mqttUrl, { clientId: rogue.id, password: token })).toMatchObject({
      connected: false,
      returnCode: 4,
    });
  });
});
