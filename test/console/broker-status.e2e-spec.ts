import type { MqttClient } from 'mqtt';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { freePort } from '../support/free-port.js';
import { connectDevice, endAll } from '../support/mqtt-test-client.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const IOT = 'https://iot.tollgate.local';

/** GET /api/broker/status: the IoT broker's health, read for the console's devices page. */
describe('GET /api/broker/status', () => {
  describe('with the broker configured', () => {
    let auth: AuthServerHarness;
    let broker: TestIotBroker;
    const devices: MqttClient[] = [];

    beforeAll(async () => {
      const port = await freePort();
      auth = await AuthServerHarness.start({ env: { IOT_BROKER_HEALTH_URL: `http://127.0.0.1:${port}/health` } });
      await auth.createResource(IOT, ['device']);
      broker = await startTestIotBroker(auth, {
        MQTT_WS_PORT: String(port),
        RESOURCE_INDICATOR: IOT,
        HEALTH_SHOW_DEVICES: 'true',
      });
    });
    afterAll(async () => {
      await endAll(...devices);
      await broker.close();
      await auth.stop();
    });

    it('reports the broker and the ids of the connected devices', async () => {
      const empty = await auth.api('GET', '/api/broker/status');
      expect(empty).toMatchObject({
        status: 200,
        body: { configured: true, status: 'ok', connectedDevices: 0, revocationFeed: 'off', devices: [] },
      });
      expect(Date.parse(empty.body.checkedAt)).not.toBeNaN();

      const thermostat = await auth.createClient({
        id: 'thermostat-7',
        kind: 'device',
        grants: [{ resource: IOT, scopes: ['device'] }],
      });
      devices.push(
        await connectDevice(broker.mqttUrl, {
          clientId: thermostat.id,
          password: await auth.token(thermostat.id, thermostat.secret, { resource: IOT }),
        }),
      );
      expect((await auth.api('GET', '/api/broker/status')).body).toMatchObject({
        configured: true,
        connectedDevices: 1,
        devices: ['thermostat-7'],
      });
    });

    it('is for admins only', async () => {
      expect((await auth.api('GET', '/api/broker/status', undefined, null)).status).toBe(401);
      await auth.createUser({ email: 'viewer@example.com' });
      const viewer = await auth.login('viewer@example.com');
      expect(await viewer.request('GET', '/api/broker/status')).toMatchObject({
        status: 403,
        body: { type: 'urn:tollgate:problem:insufficient_scope' },
      });
    });
  });

  describe('without the broker configured', () => {
    let auth: AuthServerHarness;
    beforeAll(async () => {
      auth = await AuthServerHarness.start();
    });
    afterAll(async () => {
      await auth.stop();
    });

    it('says it is not configured', async () => {
      expect(await auth.api('GET', '/api/broker/status')).toMatchObject({ status: 200, body: { configured: false } });
      expect(Object.keys((await auth.api('GET', '/api/broker/status')).body)).toEqual(['configured']);
    });
  });

  describe('when the broker does not answer with a health report', () => {
    let auth: AuthServerHarness;
    let fake: Server;
    let answer: (response: import('node:http').ServerResponse) => void = () => undefined;

    beforeAll(async () => {
      fake = createServer((_request, response) => answer(response));
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      auth = await AuthServerHarness.start({
        env: { IOT_BROKER_HEALTH_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/health` },
      });
    });
    afterAll(async () => {
      await auth.stop();
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    });

    it('answers 502 with the reason in words', async () => {
      answer = (response) => response.writeHead(500).end('oops');
      expect(await auth.api('GET', '/api/broker/status')).toMatchObject({
        status: 502,
        body: {
          type: 'urn:tollgate:problem:broker_unavailable',
          detail: 'The IoT broker’s health endpoint (IOT_BROKER_HEALTH_URL) answered HTTP 500',
        },
      });
      answer = (response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>');
      expect((await auth.api('GET', '/api/broker/status')).body.detail).toBe(
        'The IoT broker’s health endpoint (IOT_BROKER_HEALTH_URL) answered something other than a JSON health report',
      );
      answer = (response) => response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      expect((await auth.api('GET', '/api/broker/status')).body.detail).toBe(
        'The IoT broker’s health endpoint (IOT_BROKER_HEALTH_URL) could not be reached',
      );
    });

    it('refuses a body too large to be a health report', async () => {
      answer = (response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'ok',
            devices: Array.from({ length: 60_000 }, (_, i) => `device-${i}-with-a-long-padding`),
          }),
        );
      expect(await auth.api('GET', '/api/broker/status')).toMatchObject({
        status: 502,
        body: {
          detail:
            'The IoT broker’s health endpoint (IOT_BROKER_HEALTH_URL) answered with a body too large to be a health report',
        },
      });
    });

    it('keeps only the fields it knows, bounded', async () => {
      answer = (response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'ok',
            connectedDevices: 2,
            revocationFeed: 'connected',
            devices: ['a', 42, 'b'],
            secret: 'x',
          }),
        );
      const { body } = await auth.api('GET', '/api/broker/status');
      expect(body).toEqual({
        configured: true,
        status: 'ok',
        connectedDevices: 2,
        revocationFeed: 'connected',
        devices: ['a', 'b'],
        checkedAt: expect.any(String),
      });
    });

    it('answers 502 when the broker is down', async () => {
      const port = await freePort();
      const down = await AuthServerHarness.start({ env: { IOT_BROKER_HEALTH_URL: `http://127.0.0.1:${port}/health` } });
      try {
        expect(await down.api('GET', '/api/broker/status')).toMatchObject({
          status: 502,
          body: { detail: 'The IoT broker’s health endpoint (IOT_BROKER_HEALTH_URL) could not be reached' },
        });
      } finally {
        await down.stop();
      }
    });
  });
});
