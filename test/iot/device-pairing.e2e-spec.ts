import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDevicesConfig } from '../../apps/devices/src/config/devices.config.js';
import { createDeviceApp, type DeviceApp } from '../../apps/devices/src/devices.app.js';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger } from '../support/memory-logger.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const IOT = 'https://iot.tollgate.local';

/**
 * Issue 17, point 6: a new thermostat with no credential pairs itself (device grant), an admin
 * approves it in the console choosing the hub that may command it, and it connects to the broker
 * with its own key; restarted, it signs in with that key and pairs no more.
 */
describe('a thermostat pairs itself', () => {
  let auth: AuthServerHarness;
  let iot: TestIotBroker;
  let admin: ConsoleSession;
  let dataDir: string;
  const apps: DeviceApp[] = [];

  let logs: { msg?: string }[] = [];

  async function startThermostat(): Promise<DeviceApp> {
    const memory = memoryLogger('device:thermostat');
    logs = memory.logs;
    const logger = memory.logger;
    const config = loadDevicesConfig({
      AUTH_ISSUER: auth.issuer,
      BROKER_URL: iot.mqttUrl,
      BROKER_RESOURCE: IOT,
      DEVICE_ROLE: 'thermostat',
      CLIENT_ID: 'thermostat-3',
      TOKEN_AUTH_METHOD: 'private_key_jwt',
      DEVICE_KEY_FILE: join(dataDir, 'thermostat-3.key.json'),
      HEALTH_PORT: '0',
      RECONNECT_MIN_DELAY_MS: '50',
      RECONNECT_MAX_DELAY_MS: '400',
    });
    const app = createDeviceApp(config, { logger });
    await app.start();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-pairing-'));
    auth = await AuthServerHarness.start();
    await auth.createResource(IOT, ['device', 'devices:read:*']);
    await auth.createClient({
      id: 'hub-1',
      name: 'Home hub',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['devices:read:*'] }],
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
    await auth.createRole('administrators', [{ resource: auth.managementApi, scopes: ['admin'] }]);
    await auth.createUser({ email: 'ada@example.com', roles: ['administrators'] });
    admin = await auth.login('ada@example.com');
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await iot?.close();
    await auth?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'shows a code, is approved with its hub, connects with its own key, and signs in with it after a restart',
    { timeout: 60_000 },
    async () => {
      const thermostat = await startThermostat();
      let code = '';
      await eventually(() => {
        code = thermostat.health().pairing?.userCode ?? '';
        expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      }, 10_000);
      expect(logs.some((line) => line.msg?.includes(`enter the code ${code}`))).toBe(true);
      expect(thermostat.health()).toMatchObject({
        broker: 'disconnected',
        pairing: { verificationUri: `${auth.issuer}/console/device` },
      });
      // The key: generated on the device, 0600, never sent (only its public half travels).
      const keyFile = join(dataDir, 'thermostat-3.key.json');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const shown = await admin.request('POST', '/api/device/lookup', { userCode: code });
      expect(shown.body).toMatchObject({ kind: 'pairing', deviceId: 'thermostat-3', controllers: ['hub-1'] });
      expect((await admin.request('POST', '/api/device/approve', { userCode: code, controller: 'hub-1' })).status).toBe(
        200,
      );

      await eventually(() => expect(thermostat.health().broker).toBe('connected'), 20_000);
      expect(thermostat.health().pairing).toBeUndefined();
      expect(JSON.parse(readFileSync(keyFile, 'utf8')).pairedAs).toBe('thermostat-3');
      const registered = (await auth.api('GET', '/api/clients/thermostat-3')).body;
      expect(registered).toMatchObject({ kind: 'device', tokenEndpointAuthMethod: 'private_key_jwt', secrets: [] });
      expect((await auth.api('GET', '/api/clients/hub-1')).body.grants[0].scopes).toContain(
        'devices:control:thermostat-3',
      );

      // Restarted with the same key file: no new code, straight to the broker.
      await thermostat.stop();
      const again = await startThermostat();
      await eventually(() => expect(again.health().broker).toBe('connected'), 20_000);
      expect(again.health().pairing).toBeUndefined();
    },
  );
});
