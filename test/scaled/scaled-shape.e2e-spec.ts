import { loadDevicesConfig } from '../../apps/devices/src/config/devices.config.js';
import { createDeviceApp, type DeviceApp } from '../../apps/devices/src/devices.app.js';
import { AppProcess, appsAreBuilt } from '../support/app-process.js';
import { toJson } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { memoryLogger } from '../support/memory-logger.js';
import { collectMessages, connectDevice, endAll, grantedQos, waitFor } from '../support/mqtt-test-client.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';
import type { MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';

const CRM = 'https://crm.tollgate.local';
const IOT = 'https://iot.tollgate.local';
const ADMIN = { id: 'scaled-admin', secret: 'scaled-admin-secret-0123456789abcdefghij' };
const runnable = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) && appsAreBuilt('auth-server', 'service-b', 'iot-broker');

/**
 * The production shape, as processes: two auth-servers, two service-b and two brokers on one
 * PostgreSQL and one Redis, behaving as one. Needs TEST_DATABASE_URL, TEST_REDIS_URL and a build.
 */
describe.runIf(runnable)('scaled shape: two of everything on PostgreSQL and Redis', () => {
  const processes: AppProcess[] = [];
  const databases: TestDatabase[] = [];
  const clients: MqttClient[] = [];
  let thermostatApp: DeviceApp | undefined;
  let authA: string;
  let authB: string;
  let crm: string[];
  let brokers: { mqtt: string; health: string; process: AppProcess }[];
  let clientsById: Record<string, { id: string; secret: string }>;

  const basic = (client: { id: string; secret: string }) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
  async function token(at: string, client: { id: string; secret: string }, resource: string): Promise<string> {
    const response = await toJson(await fetch(`${at}/oauth/token`, { method: 'POST', headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', resource }) }));
    if (response.status !== 200) throw new Error(`token at ${at}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.access_token;
  }
  async function admin(at: string, method: string, path: string, body?: unknown) {
    const bearer = await token(at, ADMIN, `${authA}/api`);
    return toJson(await fetch(at + path, { method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }));
  }
  async function createClient(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const created = await admin(authA, 'POST', '/api/clients', body);
    expect(created.status).toBe(201);
    return { id: created.body.id, secret: created.body.clientSecret };
  }
  const get = (url: string, headers: Record<string, string>) => fetch(url, { headers }).then((r) => r.status);

  beforeAll(async () => {
    const [authDb, crmDb] = await Promise.all([createPostgresDatabase(process.env.TEST_DATABASE_URL!), createPostgresDatabase(process.env.TEST_DATABASE_URL!)]);
    databases.push(authDb, crmDb);
    const redisUrl = process.env.TEST_REDIS_URL!;
    const [portA, portB] = [await freePort(), await freePort()];
    authA = `http://127.0.0.1:${portA}`;
    authB = `http://127.0.0.1:${portB}`;
    const authEnv = (port: number) => ({
      PORT: String(port),
      AUTH_ISSUER: authA,
      DATABASE_URL: authDb.url,
      REDIS_URL: redisUrl,
      KEY_ENCRYPTION_SECRET: 'scaled-key-encryption-secret-0123456789abcdef',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.id,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.secret,
    });
    // Both at once: migrations and first-boot setup must be safe when instances start together.
    processes.push(...(await Promise.all([AppProcess.start('auth-a', 'auth-server', authEnv(portA), `${authA}/health`), AppProcess.start('auth-b', 'auth-server', authEnv(portB), `${authB}/health`)])));

    await admin(authA, 'POST', '/api/resources', { indicator: CRM, name: 'CRM', scopes: ['contacts:read', 'contacts:write'] });
    await admin(authB, 'POST', '/api/resources', { indicator: IOT, name: 'IoT', scopes: ['device', 'devices:control:thermostat-1', 'devices:read:*'] });
    clientsById = {
      serviceB: await createClient({ id: 'service-b', name: 'service-b', grants: [{ resource: `${authA}/api`, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }] }),
      broker: await createClient({ id: 'iot-broker', name: 'broker', grants: [{ resource: `${authA}/api`, scopes: ['revocations:read'] }] }),
      reader: await createClient({ id: 'reader', name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] }),
      thermostat: await createClient({ id: 'thermostat-1', name: 'thermostat', kind: 'device', grants: [{ resource: IOT, scopes: ['device'] }] }),
      hub: await createClient({ id: 'hub-1', name: 'hub', kind: 'device', grants: [{ resource: IOT, scopes: ['devices:control:thermostat-1', 'devices:read:*'] }] }),
    };

    crm = [];
    for (const name of ['crm-1', 'crm-2']) {
      const port = await freePort();
      const env = { PORT: String(port), AUTH_ISSUER: authA, DATABASE_URL: crmDb.url, REDIS_URL: redisUrl, CLIENT_ID: clientsById.serviceB.id, CLIENT_SECRET: clientsById.serviceB.secret };
      processes.push(await AppProcess.start(name, 'service-b', env, `http://127.0.0.1:${port}/health`));
      crm.push(`http://127.0.0.1:${port}`);
    }
    brokers = [];
    for (const name of ['broker-1', 'broker-2']) {
      const [mqttPort, wsPort] = [await freePort(), await freePort()];
      const env = { MQTT_PORT: String(mqttPort), MQTT_WS_PORT: String(wsPort), AUTH_ISSUER: authA, RESOURCE_INDICATOR: IOT, REDIS_URL: redisUrl, CLIENT_ID: clientsById.broker.id, CLIENT_SECRET: clientsById.broker.secret };
      const process = await AppProcess.start(name, 'iot-broker', env, `http://127.0.0.1:${wsPort}/health`);
      processes.push(process);
      brokers.push({ mqtt: `mqtt://127.0.0.1:${mqttPort}`, health: `http://127.0.0.1:${wsPort}/health`, process });
    }
    for (const url of [...crm.map((u) => `${u}/health`), ...brokers.map((b) => b.health)]) {
      await eventually(async () => expect(JSON.stringify(await (await fetch(url)).json())).toContain('"revocationFeed":"connected"'), 15_000);
    }
  }, 120_000);

  afterAll(async () => {
    await endAll(...clients);
    await thermostatApp?.stop();
    for (const process of processes.reverse()) await process.stop();
    for (const database of databases) await database.drop();
  }, 60_000);

  it('a token issued at one auth-server works at both service-bs; revoked at the other, both refuse it', async () => {
    const jwt = await token(authA, clientsById.reader, CRM);
    for (const url of crm) expect(await get(`${url}/contacts`, { authorization: `Bearer ${jwt}` })).toBe(200);
    const revokedAt = Date.now();
    const revoke = await fetch(`${authB}/oauth/revoke`, { method: 'POST', headers: { authorization: basic(clientsById.reader), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: jwt }) });
    expect(revoke.status).toBe(200);
    for (const url of crm) await eventually(async () => expect(await get(`${url}/contacts`, { authorization: `Bearer ${jwt}` })).toBe(401));
    console.info(`JWT revoked at auth-b, refused by both service-bs after ${Date.now() - revokedAt} ms`);
  });

  it('an API key revoked at one auth-server is refused at both service-bs, and its rate limit is shared', async () => {
    const consumer = await admin(authA, 'POST', '/api/consumers', { name: 'fleet', contact: 'ops@example.com' });
    const issued = await admin(authA, 'POST', `/api/consumers/${consumer.body.id}/keys`, { name: 'k', grants: [{ resource: CRM, scopes: ['contacts:read'] }], rateLimit: { requests: 4, perSeconds: 600 } });
    const key = issued.body.key as string;
    const statuses = [];
    for (const url of [...crm, ...crm]) statuses.push(await get(`${url}/contacts`, { 'x-api-key': key }));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await get(`${crm[0]}/contacts`, { 'x-api-key': key })).toBe(429);

    const revokedAt = Date.now();
    expect((await admin(authB, 'DELETE', `/api/keys/${issued.body.id}`)).status).toBe(204);
    for (const url of crm) await eventually(async () => expect(await get(`${url}/contacts`, { 'x-api-key': key })).toBe(401));
    console.info(`API key revoked at auth-b, refused by both service-bs after ${Date.now() - revokedAt} ms`);
  });

  it('failed sign-ins and client authentications are throttled across both auth-servers, not per instance', async () => {
    // A new email each run: Redis keeps the failure counts for a minute.
    const email = `guessed-${randomUUID()}@example.com`;
    expect((await admin(authA, 'POST', '/api/users', { email, displayName: 'Guessed', password: 'the-real-password-0123' })).status).toBe(201);
    const signIn = (at: string, password: string) =>
      fetch(`${at}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }).then((r) => r.status);
    // Five wrong passwords per email a minute, spread over both instances: three at one, two at the other.
    const guesses = [];
    for (const at of [authA, authB, authA, authB, authA]) guesses.push(await signIn(at, 'a-wrong-password-0123'));
    expect(guesses).toEqual([401, 401, 401, 401, 401]);
    for (const at of [authB, authA]) await eventually(async () => expect(await signIn(at, 'the-real-password-0123')).toBe(429));

    // Ten failures a minute per client id and address: five at each instance.
    const guessed = await createClient({ name: 'guessed', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const wrong = { id: guessed.id, secret: 'not-the-secret' };
    const tokenStatus = (at: string, client: { id: string; secret: string }) =>
      fetch(`${at}/oauth/token`, { method: 'POST', headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', resource: CRM }) }).then((r) => r.status);
    const failures = [];
    for (let attempt = 0; attempt < 10; attempt += 1) failures.push(await tokenStatus(attempt % 2 ? authB : authA, wrong));
    expect(failures).toEqual(Array(10).fill(401));
    for (const at of [authA, authB]) await eventually(async () => expect(await tokenStatus(at, wrong)).toBe(429));
    // The throttle limits failures, not successes: the right secret still gets tokens at both.
    for (const at of [authA, authB]) expect(await tokenStatus(at, guessed)).toBe(200);
  });

  it('a thermostat on broker 1 and the hub on broker 2 still talk; retained state crosses brokers', async () => {
    const thermostat = await connectDevice(brokers[0].mqtt, { clientId: 'thermostat-1', password: await token(authA, clientsById.thermostat, IOT) });
    const hub = await connectDevice(brokers[1].mqtt, { clientId: 'hub-1', password: await token(authB, clientsById.hub, IOT) });
    clients.push(thermostat, hub);
    const commands = collectMessages(thermostat);
    expect(await grantedQos(thermostat, ['devices/thermostat-1/commands/#'])).toEqual([1]);
    await thermostat.publishAsync('devices/thermostat-1/state', JSON.stringify({ setpoint: 19 }), { qos: 1, retain: true });
    const hubInbox = collectMessages(hub);
    expect(await grantedQos(hub, ['devices/thermostat-1/state'])).toEqual([1]);
    await waitFor(() => hubInbox.find((m) => m.topic === 'devices/thermostat-1/state'), 'the retained state on the other broker');
    await hub.publishAsync('devices/thermostat-1/commands/setpoint', JSON.stringify({ id: 'c1', setpoint: 22 }), { qos: 1 });
    await waitFor(() => commands.find((m) => m.topic === 'devices/thermostat-1/commands/setpoint'), 'the hub’s command on the thermostat’s broker');
    await endAll(thermostat, hub);
  });

  it('when a broker dies, the thermostat moves to the other and still receives commands; revoking it closes its session', { timeout: 120_000 }, async () => {
    const config = loadDevicesConfig({
      DEVICE_ROLE: 'thermostat',
      CLIENT_ID: clientsById.thermostat.id,
      CLIENT_SECRET: clientsById.thermostat.secret,
      AUTH_ISSUER: authA,
      BROKER_URL: brokers.map((b) => b.mqtt).join(','),
      HEALTH_PORT: '0',
      RECONNECT_MIN_DELAY_MS: '50',
      RECONNECT_MAX_DELAY_MS: '300',
      THERMOSTAT_TICK_MS: '50',
    });
    thermostatApp = createDeviceApp(config, { logger: memoryLogger('thermostat').logger });
    await thermostatApp.start();
    const hub = await connectDevice(brokers[1].mqtt, { clientId: 'hub-1', password: await token(authA, clientsById.hub, IOT) });
    clients.push(hub);
    const acks = collectMessages(hub);
    await grantedQos(hub, ['devices/thermostat-1/commands/ack']);
    await eventually(async () => expect((await (await fetch(brokers[0].health)).json()).connectedDevices).toBe(1), 10_000);

    await brokers[0].process.kill();
    // The thermostat (hub-1 is already there) reconnects to the surviving broker with its persistent session.
    await eventually(async () => expect((await (await fetch(brokers[1].health)).json()).connectedDevices).toBe(2), 30_000, 100);
    await hub.publishAsync('devices/thermostat-1/commands/setpoint', JSON.stringify({ id: 'after-failover', setpoint: 23 }), { qos: 1 });
    const ack = await waitFor(() => acks.find((m) => m.json<{ id: string }>().id === 'after-failover'), 'an ack through the surviving broker', 30_000);
    expect(ack.json()).toMatchObject({ status: 'applied', state: { setpoint: 23 } });

    const revokedAt = Date.now();
    expect((await admin(authB, 'POST', '/api/clients/thermostat-1/revoke-tokens')).status).toBe(200);
    // The hub stays; the thermostat's session is closed (the device then fetches a fresh token and comes back).
    await eventually(async () => expect((await (await fetch(brokers[1].health)).json()).connectedDevices).toBe(1), 5_000, 5);
    console.info(`thermostat revoked at auth-b, session closed on broker-2 after ${Date.now() - revokedAt} ms`);
  });
});
