import { ResourceServerVerification } from '@tollgate/verifier';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { connectDevice, endAll, whenClosed } from '../support/mqtt-test-client.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';
import type { MqttClient } from 'mqtt';

const IOT = 'https://iot.tollgate.local';

/** Time from `start` until `refused()` holds, polling fast; fails if it never does. */
async function timeUntil(refused: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  await eventually(async () => expect(await refused()).toBe(true), 5_000, 2);
  return Math.round(performance.now() - start);
}

/**
 * Instant revocation, embedded mode: a credential revoked at the auth-server is refused by
 * service-b and dropped by the broker through the revocation feed, long before it would expire.
 */
describe('revocation everywhere (embedded feed)', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let iot: TestIotBroker;
  const clients: MqttClient[] = [];
  const timings: Record<string, number> = {};

  const status = async (headers: Record<string, string>) => (await crm.request('GET', '/contacts', headers)).status;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth, { env: { REVOCATION_FEED_MAX_STALENESS_SECONDS: '1' } });
    await auth.createResource(IOT, ['device']);
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
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
    );
    await eventually(() => expect(iot.broker.health().revocationFeed).toBe('connected'));
  });
  afterAll(async () => {
    await endAll(...clients);
    await iot.close();
    await crm.stop();
    await auth.stop();
    console.info(`revocation → refusal (ms): ${JSON.stringify(timings)}`);
  });

  it('an M2M JWT revoked with RFC 7009 is refused at service-b', async () => {
    const client = await auth.createClient({ name: 'm2m', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const jwt = await auth.token(client.id, client.secret);
    expect(await status({ authorization: `Bearer ${jwt}` })).toBe(200);
    expect((await auth.form('/oauth/revoke', { token: jwt }, client)).status).toBe(200);
    timings.jwt = await timeUntil(async () => (await status({ authorization: `Bearer ${jwt}` })) === 401);
  });

  it('revoking all tokens of a client refuses its JWTs at service-b and closes its device session at the broker', async () => {
    const device = await auth.createClient({
      id: 'thermostat-7',
      name: 'thermostat',
      kind: 'device',
      grants: [
        { resource: CRM, scopes: ['contacts:read'] },
        { resource: IOT, scopes: ['device'] },
      ],
    });
    const crmToken = await auth.token(device.id, device.secret, { resource: CRM });
    const session = await connectDevice(iot.mqttUrl, {
      clientId: device.id,
      password: await auth.token(device.id, device.secret, { resource: IOT }),
    });
    clients.push(session);
    const closed = whenClosed(session);
    expect(await status({ authorization: `Bearer ${crmToken}` })).toBe(200);
    const start = performance.now();
    expect((await auth.api('POST', `/api/clients/${device.id}/revoke-tokens`)).status).toBe(200);
    timings.clientAllTokens = await timeUntil(
      async () => (await status({ authorization: `Bearer ${crmToken}` })) === 401,
    );
    await closed;
    timings.deviceSession = Math.round(performance.now() - start);
  });

  it('a revoked API key is refused at service-b', async () => {
    const consumer = await auth.api('POST', '/api/consumers', { name: 'c', contact: 'c@example.com' });
    const issued = await auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
      name: 'k',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    expect(await status({ 'x-api-key': issued.body.key })).toBe(200);
    expect((await auth.api('DELETE', `/api/keys/${issued.body.id}`)).status).toBe(204);
    timings.apiKey = await timeUntil(async () => (await status({ 'x-api-key': issued.body.key })) === 401);
  });

  it('a revoked PAT, and the PATs of a disabled user, are refused at service-b', async () => {
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    const user = await auth.createUser({ email: 'ada@example.com', roles: ['crm-reader'] });
    const session = await auth.login('ada@example.com');
    const revoked = await session.createToken({ name: 'script', scopes: ['contacts:read'] });
    const kept = await session.createToken({ name: 'other script', scopes: ['contacts:read'] });
    expect(await status({ authorization: `Bearer ${revoked.token}` })).toBe(200);
    expect(await status({ authorization: `Bearer ${kept.token}` })).toBe(200);

    expect((await session.request('DELETE', `/api/me/tokens/${revoked.id}`)).status).toBe(204);
    timings.pat = await timeUntil(async () => (await status({ authorization: `Bearer ${revoked.token}` })) === 401);

    expect((await auth.api('PATCH', `/api/users/${user.id}`, { disabled: true })).status).toBe(200);
    timings.patOfDisabledUser = await timeUntil(
      async () => (await status({ authorization: `Bearer ${kept.token}` })) === 401,
    );
  });

  it('catches up after a feed interruption: a revocation made while disconnected still arrives', async () => {
    const client = await auth.createClient({
      name: 'interrupted',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const jwt = await auth.token(client.id, client.secret);
    expect(await status({ authorization: `Bearer ${jwt}` })).toBe(200);
    const feed = crm.app.get(ResourceServerVerification).feed!;
    await feed.stop();
    expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('disconnected');

    expect((await auth.form('/oauth/revoke', { token: jwt }, client)).status).toBe(200);
    expect(await status({ authorization: `Bearer ${jwt}` })).toBe(200);

    feed.start();
    await eventually(async () => expect(await status({ authorization: `Bearer ${jwt}` })).toBe(401));
    expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected');
  });

  it('stops trusting cached introspection results when the feed has been down too long', async () => {
    const verification = crm.app.get(ResourceServerVerification);
    await verification.feed!.stop();
    await eventually(
      async () =>
        expect((await crm.request('GET', '/health')).body.authentication.introspectionCacheTrusted).toBe(false),
      5_000,
      50,
    );
    verification.feed!.start();
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication).toMatchObject({
        revocationFeed: 'connected',
        introspectionCacheTrusted: true,
      }),
    );
  });
});
