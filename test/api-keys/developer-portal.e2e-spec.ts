import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.local';
const LIMITS = {
  grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
  environments: ['test'],
  maxActiveKeys: 2,
  rateLimitCeiling: { requests: 120, perSeconds: 60 },
};

/**
 * The developer portal: a provider invites a consumer's developer, who then creates, rolls and
 * revokes that consumer's keys within the provider's limits, and sees nothing else.
 */
describe.each(testDatabases())('developer portal on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let zapflow: string;
  let other: string;
  let dev: ConsoleSession;
  let devId: string;

  const portal = (path = '') => `/api/me/consumers${path}`;

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ database: await create() });
    await auth.createResource(CRM, ['contacts:read', 'contacts:write', 'contacts:delete']);
    zapflow = (await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'ops@zapflow.example' })).body.id;
    other = (await auth.api('POST', '/api/consumers', { name: 'Mailbird', contact: 'ops@mailbird.example' })).body.id;
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    devId = (
      await auth.createUser({ email: 'dev@zapflow.example', displayName: 'Zoe Developer', roles: ['crm-reader'] })
    ).id;
    await auth.createUser({ email: 'bob@example.com' });
    await auth.createUser({ email: 'ci-bot@example.com', kind: 'service_account' });
    dev = await auth.login('dev@zapflow.example');
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('invites people with a console account, once; the portal opens when the provider sets limits', async () => {
    expect((await dev.request('GET', portal())).body).toEqual([]);
    const invited = await auth.api('POST', `/api/consumers/${zapflow}/members`, { email: 'Dev@Zapflow.example' });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body).toMatchObject({ userId: devId, email: 'dev@zapflow.example', displayName: 'Zoe Developer' });
    expect((await auth.api('POST', `/api/consumers/${zapflow}/members`, { email: 'dev@zapflow.example' })).status).toBe(
      409,
    );
    const unknown = await auth.api('POST', `/api/consumers/${zapflow}/members`, { email: 'nobody@example.com' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/create the person/);
    expect((await auth.api('POST', `/api/consumers/${zapflow}/members`, { email: 'ci-bot@example.com' })).status).toBe(
      400,
    );
    for (const bad of [{}, { email: 'not an email' }, { email: ['dev@zapflow.example'] }])
      expect((await auth.api('POST', `/api/consumers/${zapflow}/members`, bad)).status).toBe(400);
    expect((await auth.api('GET', `/api/consumers/${zapflow}/members`)).body).toEqual([
      expect.objectContaining({ userId: devId, email: 'dev@zapflow.example' }),
    ]);

    // Invited, but the portal is closed: nothing to see yet.
    expect((await auth.api('GET', `/api/consumers/${zapflow}/portal`)).body).toEqual({ limits: null });
    expect((await dev.request('GET', portal())).body).toEqual([]);
    expect((await dev.request('GET', portal(`/${zapflow}/keys`))).status).toBe(404);

    for (const bad of [
      { ...LIMITS, environments: [] },
      { ...LIMITS, environments: ['prod'] },
      { ...LIMITS, maxActiveKeys: 0 },
      { ...LIMITS, grants: [{ resource: CRM, scopes: ['contacts:nuke'] }] },
      { ...LIMITS, rateLimitCeiling: { requests: 0, perSeconds: 60 } },
    ])
      expect((await auth.api('PUT', `/api/consumers/${zapflow}/portal`, bad)).status, JSON.stringify(bad)).toBe(400);
    const opened = await auth.api('PUT', `/api/consumers/${zapflow}/portal`, LIMITS);
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body).toEqual({ limits: LIMITS });
    expect((await dev.request('GET', portal())).body).toEqual([{ id: zapflow, name: 'Zapflow', limits: LIMITS }]);
  });

  it('creates keys within the limits only, and audits each action under the developer', async () => {
    const created = await dev.request('POST', portal(`/${zapflow}/keys`), {
      name: 'staging sync',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.key).toMatch(/^tgk_test_/);
    // No rate limit asked for: the key gets the ceiling.
    expect(created.body).toMatchObject({ environment: 'test', rateLimit: { requests: 120, perSeconds: 60 } });
    const [event] = (await auth.api('GET', `/api/audit?action=api-key.created&credential=${created.body.id}`)).body
      .items;
    expect(event.actor).toEqual({ type: 'user', id: devId });

    const beyond = async (body: Record<string, unknown>) => {
      const response = await dev.request('POST', portal(`/${zapflow}/keys`), {
        name: 'too much',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        ...body,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      return response.body.problems as string[];
    };
    expect(await beyond({ environment: 'live' })).toEqual(['environment live is not offered (only test)']);
    expect(await beyond({ grants: [{ resource: CRM, scopes: ['contacts:delete'] }] })).toEqual([
      `scope contacts:delete on ${CRM} is not offered`,
    ]);
    expect(await beyond({ rateLimit: { requests: 3, perSeconds: 1 } })).toEqual([
      'rate limit 3 per 1 s is above the ceiling of 120 per 60 s',
    ]);
    const denied = (await auth.api('GET', `/api/audit?action=api-key.create.denied&actor=${devId}`)).body.items;
    expect(denied).toHaveLength(3);
    expect(denied[0]).toMatchObject({ outcome: 'denied', reason: 'beyond_portal_limits' });

    // One key is active: a second is allowed, a third is not.
    const second = await dev.request('POST', portal(`/${zapflow}/keys`), {
      name: 'production sync',
      environment: 'test',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
      rateLimit: { requests: 1, perSeconds: 1 },
    });
    expect(second.status).toBe(201);
    expect(await beyond({})).toEqual(['at most 2 active keys; revoke one first (2 are active)']);
  });

  it('rolls and revokes the consumer’s keys, reads their usage, and reaches nothing of another consumer', async () => {
    const keys = (await dev.request('GET', portal(`/${zapflow}/keys`))).body as { id: string; status: string }[];
    const active = keys.filter((key) => key.status === 'active');
    expect(active).toHaveLength(2);
    expect(JSON.stringify(keys)).not.toMatch(/tgk_test_[0-9A-Za-z]{20,}/);

    const rolled = await dev.request('POST', portal(`/${zapflow}/keys/${active[0].id}/roll`), {
      expireCurrentInMinutes: 0,
    });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(201);
    expect(rolled.body.key).toMatch(/^tgk_test_/);
    expect((await dev.request('DELETE', portal(`/${zapflow}/keys/${rolled.body.id}`))).status).toBe(204);
    const usage = await dev.request('GET', portal(`/${zapflow}/keys/${active[1].id}/usage?days=7`));
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ keyId: active[1].id, days: [], totals: {} });
    const [rollEvent] = (await auth.api('GET', `/api/audit?action=api-key.rolled&credential=${active[0].id}`)).body
      .items;
    expect(rollEvent.actor).toEqual({ type: 'user', id: devId });

    // Another consumer's key, through this consumer or through the other one: not found.
    const foreign = (await auth.api('POST', `/api/consumers/${other}/keys`, { name: 'mailbird', grants: [] })).body
      .id as string;
    expect((await dev.request('DELETE', portal(`/${zapflow}/keys/${foreign}`))).status).toBe(404);
    expect((await dev.request('POST', portal(`/${zapflow}/keys/${foreign}/roll`), {})).status).toBe(404);
    expect((await dev.request('GET', portal(`/${other}/keys`))).status).toBe(404);
    expect((await auth.api('GET', `/api/keys/${foreign}`)).body.status).toBe('active');
    const bob = await auth.login('bob@example.com');
    expect((await bob.request('GET', portal())).body).toEqual([]);
    expect((await bob.request('GET', portal(`/${zapflow}/keys`))).status).toBe(404);
    expect((await bob.request('POST', portal(`/${zapflow}/keys`), { name: 'x', grants: [] })).status).toBe(404);
  });

  it('is for signed-in people: 401 without a credential, 403 with a PAT, 400 for malformed ids and bodies', async () => {
    expect((await auth.api('GET', portal(), undefined, null)).status).toBe(401);
    const pat = (await dev.createToken({ name: 'cli', scopes: ['contacts:read'] })).token as string;
    const withPat = await auth.api('GET', portal(), undefined, pat);
    expect(withPat.status).toBe(403);
    expect(withPat.body.type).toMatch(/session_required/);
    expect((await dev.request('GET', portal('/not-a-uuid/keys'))).status).toBe(400);
    expect((await dev.request('POST', portal(`/${zapflow}/keys`), { name: '', grants: 'all' })).status).toBe(400);
    expect(
      (await dev.request('POST', portal(`/${zapflow}/keys`), { name: 'x', grants: [] }, { csrf: false })).status,
    ).toBe(403);
  });

  it('closing the portal or removing the member ends their access; the keys stay the consumer’s', async () => {
    expect((await auth.api('DELETE', `/api/consumers/${zapflow}/portal`)).status).toBe(204);
    expect((await dev.request('GET', portal())).body).toEqual([]);
    expect((await dev.request('GET', portal(`/${zapflow}/keys`))).status).toBe(404);
    await auth.api('PUT', `/api/consumers/${zapflow}/portal`, LIMITS);
    expect((await dev.request('GET', portal())).body).toHaveLength(1);

    expect((await auth.api('DELETE', `/api/consumers/${zapflow}/members/${devId}`)).status).toBe(204);
    expect((await auth.api('DELETE', `/api/consumers/${zapflow}/members/${devId}`)).status).toBe(404);
    expect((await dev.request('GET', portal())).body).toEqual([]);
    const keys = (await auth.api('GET', `/api/consumers/${zapflow}/keys`)).body as { status: string }[];
    expect(keys.some((key) => key.status === 'active')).toBe(true);
  });
});
