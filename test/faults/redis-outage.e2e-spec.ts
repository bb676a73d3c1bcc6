import { createLogger } from '@tollgate/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServiceBConfig } from '../../apps/service-b/src/config/service-b.config.js';
import { createServiceB } from '../../apps/service-b/src/service-b.app.js';
import { AppProcess, appsAreBuilt } from '../support/app-process.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  basicAuthorization,
  KEY_ENCRYPTION_SECRET,
  toJson,
} from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { freePort } from '../support/free-port.js';
import { attemptConnect, collectMessages, connectDevice, endAll, waitFor } from '../support/mqtt-test-client.js';
import { CRM, CRM_SCOPES, ServiceBHarness } from '../support/service-b.harness.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';
import { TestIssuer } from '../support/test-issuer.js';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../support/test-databases.js';

const REDIS = process.env.TEST_REDIS_URL;
const POSTGRES = process.env.TEST_DATABASE_URL;
const REDIS_PASSWORD = 'redis-password-never-logged';
// Generous bounds for a loaded machine; an answer that hangs on Redis never arrives at all.
const PROMPT_MS = 15_000;
const FAULTS = ['silent', 'refusing'] as const;
type Fault = (typeof FAULTS)[number];

function inject(proxy: FaultProxy, fault: Fault): Promise<void> {
  return fault === 'silent' ? proxy.silence() : proxy.refuse();
}

async function call(url: string, init: RequestInit = {}) {
  return toJson(await fetch(url, { ...init, signal: AbortSignal.timeout(PROMPT_MS) }));
}

async function adminToken(authUrl: string, audience: string): Promise<string> {
  const response = await call(`${authUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuthorization(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: audience }),
  });
  expect(response.status).toBe(200);
  return response.body.access_token;
}

function api(authUrl: string, token: string, method: string, path: string, body?: unknown) {
  return call(authUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** Wrong client secrets at `authUrl` until one is refused 429; each must be answered, none may hang. */
async function guessUntilThrottled(authUrl: string, clientId: string): Promise<number[]> {
  const statuses: number[] = [];
  while (!statuses.includes(429) && statuses.length < 30) {
    const response = await call(`${authUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(clientId, 'not-the-secret'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: CRM }),
    });
    statuses.push(response.status);
  }
  return statuses;
}

async function issueKey(
  authUrl: string,
  token: string,
  rateLimit?: { requests: number; perSeconds: number },
): Promise<{ id: string; key: string }> {
  const consumer = await api(authUrl, token, 'POST', '/api/consumers', {
    name: `fault-${crypto.randomUUID()}`,
    contact: 'ops@example.com',
  });
  expect(consumer.status).toBe(201);
  const issued = await api(authUrl, token, 'POST', `/api/consumers/${consumer.body.id}/keys`, {
    name: 'k',
    grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    ...(rateLimit && { rateLimit }),
  });
  expect(issued.status).toBe(201);
  return { id: issued.body.id, key: issued.body.key };
}

describe.runIf(REDIS && appsAreBuilt('auth-server'))('auth-server boot with Redis unreachable', () => {
  it.each(FAULTS)(
    'boots with Redis %s, names REDIS_URL once per use without its password, and revokes at once',
    { timeout: 120_000 },
    async (fault) => {
      const proxy = await FaultProxy.start(REDIS!);
      const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-fault-'));
      let auth: AppProcess | undefined;
      try {
        await inject(proxy, fault);
        const redisUrl = new URL(proxy.urlFor(REDIS!));
        redisUrl.password = REDIS_PASSWORD;
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        // Before: a refusing Redis stopped the boot after ~11 s, a silent one held it forever.
        auth = await AppProcess.start(
          'auth',
          'auth-server',
          {
            PORT: String(port),
            AUTH_ISSUER: url,
            DATA_DIR: dataDir,
            REDIS_URL: redisUrl.toString(),
            BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
            BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
          },
          `${url}/health`,
          90_000,
        );
        const token = await adminToken(url, `${url}/api`);
        await api(url, token, 'POST', '/api/resources', { indicator: CRM, name: 'CRM', scopes: CRM_SCOPES });
        const { id } = await issueKey(url, token);
        expect((await api(url, token, 'DELETE', `/api/keys/${id}`)).status).toBe(204);
        const client = await api(url, token, 'POST', '/api/clients', {
          name: 'guessed',
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        });
        // Per-instance limits: failures are counted here, and this instance refuses the pair.
        expect(await guessUntilThrottled(url, client.body.id)).toContain(429);

        const lines = auth.output.filter((line) => line.includes('REDIS_URL'));
        expect(lines.filter((line) => line.includes('is unreachable for the revocation feed'))).toHaveLength(1);
        expect(lines.filter((line) => line.includes('is unreachable for the authentication throttles'))).toHaveLength(
          1,
        );
        expect(lines[0]).toContain(`redis://:***@127.0.0.1:${proxy.port}`);
        expect(auth.output.join('\n')).not.toContain(REDIS_PASSWORD);
      } finally {
        await auth?.stop();
        await proxy.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

/**
 * Two auth-servers on one PostgreSQL; auth-a reaches Redis through a proxy that fails, auth-b
 * directly. service-b follows the revocation feed of auth-b (the issuer), which hears of auth-a's
 * revocations only through the database once auth-a cannot announce them on Redis.
 */
describe.runIf(REDIS && POSTGRES && appsAreBuilt('auth-server'))('auth-server when Redis fails at runtime', () => {
  let proxy: FaultProxy;
  let database: TestDatabase;
  let crmDatabase: TestDatabase;
  const processes: AppProcess[] = [];
  let authA: string;
  let authB: string;
  let serviceB: NestFastifyApplication;
  let serviceBUrl: string;

  beforeAll(async () => {
    proxy = await FaultProxy.start(REDIS!);
    [database, crmDatabase] = await Promise.all([createPostgresDatabase(POSTGRES!), createSqliteDatabase()]);
    const [portA, portB] = [await freePort(), await freePort()];
    [authA, authB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    const env = (port: number, redisUrl: string) => ({
      PORT: String(port),
      AUTH_ISSUER: authB,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      KEY_ENCRYPTION_SECRET,
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
    });
    processes.push(
      await AppProcess.start('auth-a', 'auth-server', env(portA, proxy.urlFor(REDIS!)), `${authA}/health`, 90_000),
    );
    processes.push(await AppProcess.start('auth-b', 'auth-server', env(portB, REDIS!), `${authB}/health`, 90_000));

    const token = await adminToken(authA, `${authB}/api`);
    await api(authA, token, 'POST', '/api/resources', { indicator: CRM, name: 'CRM', scopes: CRM_SCOPES });
    const client = await api(authA, token, 'POST', '/api/clients', {
      name: 'service-b',
      grants: [{ resource: `${authB}/api`, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
    const config = loadServiceBConfig({
      AUTH_ISSUER: authB,
      RESOURCE_INDICATOR: CRM,
      DATABASE_URL: crmDatabase.url,
      CLIENT_ID: client.body.id,
      CLIENT_SECRET: client.body.clientSecret,
    });
    serviceB = await createServiceB(config, { logger: createLogger({ name: 'service-b', level: 'silent' }) });
    await serviceB.listen(0, '127.0.0.1');
    serviceBUrl = await serviceB.getUrl();
    await eventually(
      async () => expect((await call(`${serviceBUrl}/health`)).body.authentication?.revocationFeed).toBe('connected'),
      30_000,
      200,
    );
  }, 240_000);

  afterAll(async () => {
    await serviceB?.close();
    for (const process of processes.reverse()) await process.stop();
    await proxy?.close();
    await database?.drop();
    await crmDatabase?.drop();
  }, 60_000);

  it.each(FAULTS)(
    'with Redis %s at auth-a: a revocation there answers at once and still reaches service-b; throttles hold per instance',
    { timeout: 120_000 },
    async (fault) => {
      const token = await adminToken(authA, `${authB}/api`);
      const { id, key } = await issueKey(authA, token);
      expect((await call(`${serviceBUrl}/contacts`, { headers: { 'x-api-key': key } })).status).toBe(200);
      const client = await api(authA, token, 'POST', '/api/clients', {
        name: 'guessed',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      await inject(proxy, fault);
      try {
        // Before: the request waited on the Redis publish, forever when Redis was silent.
        expect((await api(authA, token, 'DELETE', `/api/keys/${id}`)).status).toBe(204);
        // auth-b serves service-b's feed and finds the event by its one-second poll of the database.
        await eventually(
          async () =>
            expect((await call(`${serviceBUrl}/contacts`, { headers: { 'x-api-key': key } })).status).toBe(401),
          15_000,
          200,
        );
        expect(await guessUntilThrottled(authA, client.body.id)).toContain(429);
      } finally {
        await proxy.forward();
      }
    },
  );
});

/** Two service-b instances sharing API-key rate limits through a Redis that fails and comes back. */
describe.runIf(REDIS)('service-b when Redis fails', () => {
  let proxy: FaultProxy;
  let auth: AuthServerHarness;
  let first: ServiceBHarness;
  let second: ServiceBHarness;

  async function statusesOfAlternatingRequests(
    limit: number,
    count: number,
  ): Promise<{ statuses: number[]; elapsedMs: number }> {
    const { key } = await issueKey(auth.issuer, await auth.admin(), { requests: limit, perSeconds: 600 });
    const started = Date.now();
    const statuses: number[] = [];
    for (let index = 0; index < count; index += 1)
      statuses.push((await (index % 2 ? second : first).request('GET', '/contacts', { 'x-api-key': key })).status);
    return { statuses, elapsedMs: Date.now() - started };
  }

  beforeAll(async () => {
    proxy = await FaultProxy.start(REDIS!);
    auth = await AuthServerHarness.start();
    first = await ServiceBHarness.start(auth, { env: { REDIS_URL: proxy.urlFor(REDIS!) } });
    second = await ServiceBHarness.start(auth, { env: { REDIS_URL: proxy.urlFor(REDIS!) } });
    await eventually(
      async () => expect((await statusesOfAlternatingRequests(2, 4)).statuses).toEqual([200, 200, 429, 429]),
      15_000,
      200,
    );
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await auth?.stop();
    await proxy?.close();
  });

  it.each(FAULTS)(
    'with Redis %s, answers at once with per-instance limits, and shares them again when Redis is back',
    { timeout: 60_000 },
    async (fault) => {
      await inject(proxy, fault);
      try {
        const { statuses, elapsedMs } = await statusesOfAlternatingRequests(3, 20);
        console.info(`20 API-key requests at two service-b with Redis ${fault}: ${elapsedMs} ms`);
        // Each instance allows the limit from its own bucket: twice the limit in all.
        expect(statuses.filter((status) => status === 200)).toHaveLength(6);
        expect(statuses.filter((status) => status === 429)).toHaveLength(14);
        // Before, every request waited for Redis's 500 ms command timeout: 20 requests took 10 s or more.
        expect(elapsedMs).toBeLessThan(20 * 500);
      } finally {
        await proxy.forward();
      }
      await eventually(
        async () =>
          expect((await statusesOfAlternatingRequests(3, 6)).statuses).toEqual([200, 200, 200, 429, 429, 429]),
        20_000,
        200,
      );
    },
  );
});

/** The IoT broker in cluster mode: sessions and retained messages live in Redis. */
describe.runIf(REDIS)('iot-broker in cluster mode when Redis fails', () => {
  let issuer: TestIssuer;
  let proxy: FaultProxy;
  let iot: TestIotBroker | undefined;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
  });
  afterEach(async () => {
    await iot?.close();
    iot = undefined;
    await proxy.close();
  });
  afterAll(async () => {
    await issuer.stop();
  });

  it('does not start without Redis, and says which setting to check', { timeout: 60_000 }, async () => {
    proxy = await FaultProxy.start(REDIS!);
    await proxy.refuse();
    await expect(startTestIotBroker(issuer, { REDIS_URL: proxy.urlFor(REDIS!) })).rejects.toThrow(
      `Redis at redis://127.0.0.1:${proxy.port} (REDIS_URL) did not answer`,
    );
  });

  it.each(FAULTS)(
    'survives Redis %s at runtime, and devices talk again once it answers',
    { timeout: 120_000 },
    async (fault) => {
      proxy = await FaultProxy.start(REDIS!);
      iot = await startTestIotBroker(issuer, { REDIS_URL: proxy.urlFor(REDIS!) });
      const device = `thermostat-${crypto.randomUUID().slice(0, 8)}`;
      const connect = async (clientId: string, scope: string) =>
        connectDevice(iot!.mqttUrl, { clientId, password: await issuer.token({ subject: clientId, scope }) });
      await inject(proxy, fault);
      // Before: a refused connection crashed the process (mqemitter-redis re-emitted the error where nobody listened).
      await eventually(() => expect(JSON.stringify(iot!.logs)).toContain('(REDIS_URL) is unreachable'), 10_000, 100);
      const started = Date.now();
      const during = await attemptConnect(iot.mqttUrl, {
        clientId: device,
        password: await issuer.token({ subject: device, scope: 'device' }),
      });
      console.info(
        `CONNECT while Redis is ${fault}: ${during.connected ? 'accepted' : JSON.stringify(during)} after ${Date.now() - started} ms`,
      );
      if (during.connected) await endAll(during.client);

      await proxy.forward();
      await waitFor(
        () => iot!.logs.some((line) => String(line.msg).includes('answers again')),
        'the broker to say Redis answers again',
        30_000,
      );
      await eventually(
        async () => {
          const [thermostat, hub] = [
            await connect(device, 'device'),
            await connect(`hub-${device}`, `devices:control:${device}`),
          ];
          try {
            const commands = collectMessages(thermostat);
            await thermostat.subscribeAsync(`devices/${device}/commands/#`, { qos: 1 });
            await hub.publishAsync(`devices/${device}/commands/setpoint`, '{"id":"c1","setpoint":21}', { qos: 1 });
            await waitFor(
              () => commands.find((message) => message.topic === `devices/${device}/commands/setpoint`),
              'the command through the broker',
              5_000,
            );
          } finally {
            await endAll(thermostat, hub);
          }
          // Under a loaded machine the Redis emitter's resubscription can take longer than one try.
        },
        60_000,
        500,
      );
    },
  );
});
