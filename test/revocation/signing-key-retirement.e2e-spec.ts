import { ResourceServerVerification, VerificationError } from '@tollgate/verifier';
import { decodeProtectedHeader } from 'jose';
import type { MqttClient } from 'mqtt';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, AuthServerHarness, toJson } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { attemptConnect, connectDevice, endAll, whenClosed } from '../support/mqtt-test-client.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import { createPostgresDatabase, testDatabases } from '../support/test-databases.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const IOT = 'https://iot.tollgate.local';
const BAD_CREDENTIALS = 4;

/** A JWKS cache (a CDN, an HTTP cache honouring max-age) that keeps serving the key set it first fetched. */
async function startStaleJwksCache(
  origin: string,
): Promise<{ url: string; kids: () => string[]; close: () => Promise<void> }> {
  let snapshot: { keys: { kid: string }[] } | undefined;
  const server: Server = createServer((_request, response) => {
    void (async () => {
      snapshot ??= (await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify(snapshot));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    kids: () => snapshot?.keys.map((key) => key.kid) ?? [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string } | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    return { code: error.code, reason: error.reason };
  }
}

/**
 * An immediate rotation (a compromised key) reaches every verifier through the revocation feed:
 * service-b and the broker refuse the old key's tokens and the broker closes the sessions they
 * opened, even where a cache still serves the old key set; a second auth-server honours it too.
 */
describe.each(testDatabases())('a retired signing key is refused everywhere on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let iot: TestIotBroker;
  let reader: { id: string; secret: string };
  let feedClient: { id: string; secret: string };
  const clients: MqttClient[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ database: await create() });
    crm = await ServiceBHarness.start(auth);
    await auth.createResource(IOT, ['device']);
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    feedClient = await auth.createClient({
      name: 'feed reader',
      grants: [{ resource: auth.managementApi, scopes: ['revocations:read'] }],
    });
    const broker = await auth.createClient({
      id: 'iot-broker',
      name: 'broker',
      grants: [{ resource: auth.managementApi, scopes: ['revocations:read'] }],
    });
    iot = await startTestIotBroker(auth, {
      RESOURCE_INDICATOR: IOT,
      CLIENT_ID: broker.id,
      CLIENT_SECRET: broker.secret,
    });
    await eventually(
      async () => expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
      10_000,
    );
    await eventually(() => expect(iot.broker.health().revocationFeed).toBe('connected'), 10_000);
  });
  afterAll(async () => {
    await endAll(...clients);
    await iot.close();
    await crm.stop();
    await auth.stop();
    console.info(`signing key retired → refused (ms): ${JSON.stringify(timings)}`);
  });

  it('an immediate rotation: the old key’s tokens are refused at the management API, service-b and the broker, and its MQTT sessions are closed', async () => {
    const device = await auth.createClient({
      id: 'thermostat-5',
      name: 'thermostat',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['device'] }],
    });
    const oldDeviceToken = await auth.token(device.id, device.secret, { resource: IOT });
    const oldCrmToken = await auth.token(reader.id, reader.secret);
    const oldAdminToken = await auth.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
    const compromised = decodeProtectedHeader(oldCrmToken).kid;
    const session = await connectDevice(iot.mqttUrl, { clientId: device.id, password: oldDeviceToken });
    clients.push(session);
    const closed = whenClosed(session);
    expect((await crm.bearer(oldCrmToken)).status).toBe(200);

    const start = performance.now();
    const rotated = await auth.api('POST', '/api/signing-keys/rotate', { immediately: true });
    expect(rotated.body).toMatchObject({ retired: compromised });

    expect((await auth.api('GET', '/api/clients', undefined, oldAdminToken)).status).toBe(401);
    expect(
      (await auth.request('GET', '/.well-known/jwks.json')).body.keys.map((key: { kid: string }) => key.kid),
    ).not.toContain(compromised);
    await eventually(
      async () => {
        const refused = await crm.bearer(oldCrmToken);
        expect(refused.status).toBe(401);
        expect(refused.body).toMatchObject({ error: 'invalid_token' });
      },
      5_000,
      5,
    );
    timings.serviceB = Math.round(performance.now() - start);
    await closed;
    timings.mqttSession = Math.round(performance.now() - start);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'session closed by the broker',
        clientId: device.id,
        reason: 'revoked (signing_key.retired)',
      }),
    );
    expect(await attemptConnect(iot.mqttUrl, { clientId: device.id, password: oldDeviceToken })).toMatchObject({
      connected: false,
      returnCode: BAD_CREDENTIALS,
    });

    // Tokens of the new current key work everywhere.
    expect((await crm.bearer(await auth.token(reader.id, reader.secret))).status).toBe(200);
    const renewed = await connectDevice(iot.mqttUrl, {
      clientId: device.id,
      password: await auth.token(device.id, device.secret, { resource: IOT }),
    });
    clients.push(renewed);
    expect(renewed.connected).toBe(true);
  });

  it('a verifier whose JWKS cache still serves the retired key refuses its tokens once the event arrives', async () => {
    const cache = await startStaleJwksCache(auth.issuer);
    const metadataUrl = `${auth.issuer}/.well-known/oauth-authorization-server`;
    const throughCache = (async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (String(input) !== metadataUrl) return response;
      return Response.json({ ...(await response.json()), jwks_uri: cache.url });
    }) as typeof fetch;
    const verification = new ResourceServerVerification({
      issuer: auth.issuer,
      resource: CRM,
      client: feedClient,
      acceptOpaque: false,
      fetch: throughCache,
    });
    try {
      await eventually(() => expect(verification.health().revocationFeed).toBe('connected'), 10_000);
      const oldToken = await auth.token(reader.id, reader.secret);
      const compromised = decodeProtectedHeader(oldToken).kid!;
      expect(await refusal(verification.verifier.verify(oldToken, { address: '127.0.0.1' }))).toBe('accepted');
      expect(await refusal(verification.verifyAccessToken(oldToken))).toBe('accepted');

      const rotated = await auth.api('POST', '/api/signing-keys/rotate', { immediately: true });
      expect(rotated.body).toMatchObject({ retired: compromised });
      await eventually(async () =>
        expect(await refusal(verification.verifier.verify(oldToken, { address: '127.0.0.1' }))).toEqual({
          code: 'invalid_token',
          reason: 'signing_key_retired',
        }),
      );
      expect(await refusal(verification.verifyAccessToken(oldToken))).toEqual({
        code: 'invalid_token',
        reason: 'signing_key_retired',
      });
      // The cache still serves it: the deny set, not the key set, refuses the token.
      expect(cache.kids()).toContain(compromised);
      expect(
        await refusal(
          verification.verifier.verify(await auth.token(reader.id, reader.secret), { address: '127.0.0.1' }),
        ),
      ).toBe('accepted');
    } finally {
      await verification.close();
      await cache.close();
    }
  });
});

const scaled = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

/** Two auth-servers on one PostgreSQL and one Redis, as in the scaled shape. */
describe.runIf(scaled)('a key retired at one auth-server instance is refused by the other', () => {
  let a: AuthServerHarness;
  let b: AuthServerHarness;

  beforeAll(async () => {
    const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    const env = { REDIS_URL: process.env.TEST_REDIS_URL! };
    a = await AuthServerHarness.start({ database, env });
    b = await AuthServerHarness.start({ database, keepDatabase: true, env: { ...env, AUTH_ISSUER: a.issuer } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('at instance B, within the feed’s latency: its management API refuses the old key’s tokens and its JWKS drops the key', async () => {
    const atB = `http://127.0.0.1:${b.config.port}`;
    const callB = async (path: string, token: string) =>
      toJson(await fetch(atB + path, { headers: { authorization: `Bearer ${token}` } }));
    const oldToken = await a.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
    const compromised = decodeProtectedHeader(oldToken).kid;
    expect((await callB('/api/clients', oldToken)).status).toBe(200);

    const start = performance.now();
    const rotated = await a.api('POST', '/api/signing-keys/rotate', { immediately: true });
    expect(rotated.body).toMatchObject({ retired: compromised });
    // B reloads key states on the feed's wake-up (Redis), not only on its periodic reload.
    await eventually(async () => expect((await callB('/api/clients', oldToken)).status).toBe(401), 3_000, 5);
    console.info(
      `signing key retired at auth-a → refused by auth-b's management API after ${Math.round(performance.now() - start)} ms`,
    );
    const published = (await toJson(await fetch(`${atB}/.well-known/jwks.json`))).body.keys.map(
      (key: { kid: string }) => key.kid,
    );
    expect(published).not.toContain(compromised);
    expect((await callB('/api/clients', await a.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET))).status).toBe(200);
  });
});
