import { DpopKey } from '@tollgate/dpop';
import { eventually } from '../support/eventually.js';
import { collectMessages, connectDevice, endAll, grantedQos, waitFor } from '../support/mqtt-test-client.js';
import { CRM } from '../support/service-b.harness.js';
import { IOT, type Stack, stackIsRunnable, startStack } from '../support/stack.js';
import type { MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';

const SCALED = { database: 'postgres', redis: true, authServers: 2, serviceBs: 2, brokers: 2 } as const;

/**
 * The production shape, as processes: two auth-servers (behind one issuer URL), two service-b and
 * two brokers on one PostgreSQL and one Redis, behaving as one. Needs TEST_DATABASE_URL,
 * TEST_REDIS_URL and a build. What happens when one of them dies is in test/faults/.
 */
describe.runIf(stackIsRunnable(SCALED))('scaled shape: two of everything on PostgreSQL and Redis', () => {
  const clients: MqttClient[] = [];
  let stack: Stack;
  let authA: string;
  let authB: string;
  let crm: string[];

  const basic = (client: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
  const instance = (at: string) => stack.authServers.find((server) => server.url === at)!.api;
  const token = (at: string, client: { id: string; secret: string }, resource: string) =>
    instance(at).token(client.id, client.secret, { resource });
  const admin = (at: string, method: string, path: string, body?: unknown) => instance(at).api(method, path, body);
  async function createClient(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const created = await admin(authA, 'POST', '/api/clients', body);
    expect(created.status).toBe(201);
    return { id: created.body.id, secret: created.body.clientSecret };
  }
  const get = (url: string, headers: Record<string, string>) => fetch(url, { headers }).then((r) => r.status);

  beforeAll(async () => {
    stack = await startStack(SCALED);
    [authA, authB] = stack.authServers.map((server) => server.url);
    crm = stack.serviceBs.map((serviceB) => serviceB.url);
  }, 240_000);

  afterAll(async () => {
    await endAll(...clients);
    await stack?.stop();
  }, 60_000);

  it('a token issued at one auth-server works at both service-bs; revoked at the other, both refuse it', async () => {
    const jwt = await token(authA, stack.seeded.reader, CRM);
    for (const url of crm) expect(await get(`${url}/contacts`, { authorization: `Bearer ${jwt}` })).toBe(200);
    const revokedAt = Date.now();
    const revoke = await fetch(`${authB}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic(stack.seeded.reader), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: jwt }),
    });
    expect(revoke.status).toBe(200);
    for (const url of crm)
      await eventually(async () => expect(await get(`${url}/contacts`, { authorization: `Bearer ${jwt}` })).toBe(401));
    console.info(`JWT revoked at auth-b, refused by both service-bs after ${Date.now() - revokedAt} ms`);
  });

  it('a DPoP proof accepted by one auth-server is refused by the other (the replay cache is in Redis)', async () => {
    const key = await DpopKey.generate();
    const tokenEndpoint = `${stack.issuer}/oauth/token`;
    const grant = (at: string, proof: string) =>
      instance(at).tokenRequest({ grant_type: 'client_credentials', resource: CRM }, stack.seeded.reader, {
        dpop: proof,
      });
    const proof = await key.proof({ method: 'POST', url: tokenEndpoint });
    const first = await grant(authA, proof);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.token_type).toBe('DPoP');
    const replayed = await grant(authB, proof);
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/used before/),
    });
  });

  it('an API key revoked at one auth-server is refused at both service-bs, and its rate limit is shared', async () => {
    const consumer = await admin(authA, 'POST', '/api/consumers', { name: 'fleet', contact: 'ops@example.com' });
    const issued = await admin(authA, 'POST', `/api/consumers/${consumer.body.id}/keys`, {
      name: 'k',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      rateLimit: { requests: 4, perSeconds: 600 },
    });
    const key = issued.body.key as string;
    const statuses = [];
    for (const url of [...crm, ...crm]) statuses.push(await get(`${url}/contacts`, { 'x-api-key': key }));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await get(`${crm[0]}/contacts`, { 'x-api-key': key })).toBe(429);

    const revokedAt = Date.now();
    expect((await admin(authB, 'DELETE', `/api/keys/${issued.body.id}`)).status).toBe(204);
    for (const url of crm)
      await eventually(async () => expect(await get(`${url}/contacts`, { 'x-api-key': key })).toBe(401));
    console.info(`API key revoked at auth-b, refused by both service-bs after ${Date.now() - revokedAt} ms`);
  });

  it('failed sign-ins and client authentications are throttled across both auth-servers, not per instance', async () => {
    // A new email each run: Redis keeps the failure counts for a minute.
    const email = `guessed-${randomUUID()}@example.com`;
    expect(
      (await admin(authA, 'POST', '/api/users', { email, displayName: 'Guessed', password: 'the-real-password-0123' }))
        .status,
    ).toBe(201);
    const signIn = (at: string, password: string) =>
      fetch(`${at}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      }).then((r) => r.status);
    // Five wrong passwords per email a minute, spread over both instances: three at one, two at the other.
    const guesses = [];
    for (const at of [authA, authB, authA, authB, authA]) guesses.push(await signIn(at, 'a-wrong-password-0123'));
    expect(guesses).toEqual([401, 401, 401, 401, 401]);
    for (const at of [authB, authA])
      await eventually(async () => expect(await signIn(at, 'the-real-password-0123')).toBe(429));

    // Ten failures a minute per client id and address: five at each instance.
    const guessed = await createClient({ name: 'guessed', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const wrong = { id: guessed.id, secret: 'not-the-secret' };
    const tokenStatus = (at: string, client: { id: string; secret: string }) =>
      fetch(`${at}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: CRM }),
      }).then((r) => r.status);
    const failures = [];
    for (let attempt = 0; attempt < 10; attempt += 1)
      failures.push(await tokenStatus(attempt % 2 ? authB : authA, wrong));
    expect(failures).toEqual(Array(10).fill(401));
    for (const at of [authA, authB]) await eventually(async () => expect(await tokenStatus(at, wrong)).toBe(429));
    // The throttle limits failures, not successes: the right secret still gets tokens at both.
    for (const at of [authA, authB]) expect(await tokenStatus(at, guessed)).toBe(200);
  });

  it('a thermostat on broker 1 and the hub on broker 2 still talk; retained state crosses brokers', async () => {
    const thermostat = await connectDevice(stack.brokers[0].mqttUrl, {
      clientId: 'thermostat-1',
      password: await token(authA, stack.clients.thermostat, IOT),
    });
    const hub = await connectDevice(stack.brokers[1].mqttUrl, {
      clientId: 'hub-1',
      password: await token(authB, stack.clients.hub, IOT),
    });
    clients.push(thermostat, hub);
    const commands = collectMessages(thermostat);
    expect(await grantedQos(thermostat, ['devices/thermostat-1/commands/#'])).toEqual([1]);
    await thermostat.publishAsync('devices/thermostat-1/state', JSON.stringify({ setpoint: 19 }), {
      qos: 1,
      retain: true,
    });
    const hubInbox = collectMessages(hub);
    expect(await grantedQos(hub, ['devices/thermostat-1/state'])).toEqual([1]);
    await waitFor(
      () => hubInbox.find((m) => m.topic === 'devices/thermostat-1/state'),
      'the retained state on the other broker',
    );
    await hub.publishAsync('devices/thermostat-1/commands/setpoint', JSON.stringify({ id: 'c1', setpoint: 22 }), {
      qos: 1,
    });
    await waitFor(
      () => commands.find((m) => m.topic === 'devices/thermostat-1/commands/setpoint'),
      'the hub’s command on the thermostat’s broker',
    );
    await endAll(thermostat, hub);
  });
});
