import { ManualClock } from '@tollgate/platform';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.local';
const DAY = 86_400_000;

/** GET /api/overview and GET /api/search: what the console's overview page and search box show. */
describe.each(testDatabases())('overview and search on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let clock: ManualClock;
  let consumerId: string;
  let soonKey: { id: string; displayPrefix: string };
  let laterKey: { id: string };
  let revokedKey: { id: string };
  let pat: { id: string; displayPrefix: string };
  let bobId: string;

  const createKey = async (name: string, expiresInMs?: number) => {
    const created = await auth.api('POST', `/api/consumers/${consumerId}/keys`, {
      name,
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      ...(expiresInMs && { expiresAt: new Date(clock.now().getTime() + expiresInMs).toISOString() }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    clock = new ManualClock();
    auth = await AuthServerHarness.start({ clock, database: await create() });
    await auth.createResource(CRM, ['contacts:read']);
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    bobId = (await auth.createUser({ email: 'bob@example.com', displayName: 'Bob Builder', roles: ['crm-reader'] })).id;
    await auth.createUser({ email: 'ci-bot@example.com', kind: 'service_account' });
    consumerId = (await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'dev@zapflow.example' })).body
      .id;
    soonKey = await createKey('Zapflow nightly sync', 2 * DAY);
    laterKey = await createKey('Zapflow backfill', 30 * DAY);
    revokedKey = await createKey('Zapflow old key');
    expect((await auth.api('DELETE', `/api/keys/${revokedKey.id}`)).status).toBe(204);
    const bob = await auth.login('bob@example.com');
    pat = await bob.createToken({ name: 'deploy script', scopes: ['contacts:read'], expiresInDays: 5 });
    await auth.createClient({ name: 'Zapflow webhook relay', grants: [] });
    await auth.createClient({ name: 'thermostat-9', kind: 'device', grants: [] });
    // Two refusals: a wrong client secret and an unknown API key at introspection.
    expect(
      (await auth.tokenRequest({ grant_type: 'client_credentials' }, { id: 'nobody', secret: 'x'.repeat(32) })).status,
    ).toBe(401);
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('counts credentials by kind and state, lists what expires within a week, and the latest refusals', async () => {
    const response = await auth.api('GET', '/api/overview');
    expect(response.status).toBe(200);
    const overview = response.body;
    expect(overview.generatedAt).toBe(clock.now().toISOString());
    expect(overview.counts.apiKeys).toEqual({ active: 2, expired: 0, revoked: 1 });
    expect(overview.counts.personalAccessTokens).toEqual({ active: 1, expired: 0, revoked: 0 });
    expect(overview.counts.users).toEqual({ people: 1, serviceAccounts: 1, disabled: 0 });
    // The bootstrap admin and the relay are services; thermostat-9 is a device.
    expect(overview.counts.clients).toEqual({
      service: { enabled: 2, disabled: 0 },
      device: { enabled: 1, disabled: 0 },
    });
    expect(overview.expiringSoon.map((c: { id: string }) => c.id)).toEqual([soonKey.id, pat.id]);
    expect(overview.expiringSoon[0]).toEqual({
      kind: 'api_key',
      id: soonKey.id,
      name: 'Zapflow nightly sync',
      displayPrefix: soonKey.displayPrefix,
      expiresAt: new Date(clock.now().getTime() + 2 * DAY).toISOString(),
      owner: { id: consumerId, name: 'Zapflow' },
    });
    expect(overview.expiringSoon[1]).toMatchObject({ kind: 'pat', owner: { id: bobId, name: 'bob@example.com' } });
    expect(JSON.stringify(overview)).not.toContain(laterKey.id);
    expect(overview.refusals.last24Hours).toBeGreaterThanOrEqual(1);
    expect(overview.refusals.newest[0]).toMatchObject({ action: 'client.auth.failed', outcome: 'failure' });
    expect(overview.revocationFeed).toEqual({ subscribersHere: 0 });
    expect(overview.broker).toEqual({ configured: false });

    // Three days later: the key has expired, the PAT is still live; the refusal is more than a day old.
    clock.advance(3 * DAY);
    auth.resetAdminToken();
    const later = (await auth.api('GET', '/api/overview')).body;
    expect(later.counts.apiKeys).toEqual({ active: 1, expired: 1, revoked: 1 });
    expect(later.expiringSoon.map((c: { id: string }) => c.id)).toEqual([pat.id]);
    expect(later.refusals.newest.some((event: { action: string }) => event.action === 'client.auth.failed')).toBe(
      false,
    );
  });

  it('finds clients, consumers, keys and PATs (by name or visible prefix) and users, at most five of each', async () => {
    const search = async (q: string) => {
      const response = await auth.api('POST', '/api/search', { q });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.hits as { kind: string; id: string; title: string; detail: string; owner?: unknown }[];
    };
    const zapflow = await search('zapFLOW');
    expect(zapflow.map((hit) => hit.kind).sort()).toEqual(['api_key', 'api_key', 'api_key', 'client', 'consumer']);
    expect(zapflow.find((hit) => hit.kind === 'consumer')).toEqual({
      kind: 'consumer',
      id: consumerId,
      title: 'Zapflow',
      detail: 'dev@zapflow.example',
    });

    const byPrefix = await search(soonKey.displayPrefix);
    expect(byPrefix).toEqual([
      expect.objectContaining({ kind: 'api_key', id: soonKey.id, owner: { id: consumerId, name: 'Zapflow' } }),
    ]);
    expect(await search(pat.displayPrefix)).toEqual([
      expect.objectContaining({ kind: 'pat', id: pat.id, title: 'deploy script' }),
    ]);
    expect((await search('builder')).map((hit) => [hit.kind, hit.id])).toEqual([['user', bobId]]);
    expect((await search('thermostat')).map((hit) => hit.kind)).toEqual(['client']);

    // LIKE wildcards are text here: "%" finds only names that contain a "%" (none).
    expect(await search('%%')).toEqual([]);
    expect(await search('z_pflow')).toEqual([]);

    for (let index = 0; index < 7; index++) await createKey(`bulk key ${index}`);
    expect((await search('bulk key')).length).toBe(5);
  });

  it('refuses a whole secret, a malformed term, and callers without admin', async () => {
    const bob = await auth.login('bob@example.com');
    const secret = (await bob.createToken({ name: 'leaked', scopes: ['contacts:read'] })).token as string;
    const refused = await auth.api('POST', '/api/search', { q: secret });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(refused.body)).toMatch(/looks like a secret/);
    expect(JSON.stringify(refused.body)).not.toContain(secret);

    for (const bad of [{ q: '' }, { q: 'a' }, { q: 'x'.repeat(101) }, {}, { q: ['ab', 'cd'] }, { q: 12 }])
      expect((await auth.api('POST', '/api/search', bad)).status, JSON.stringify(bad)).toBe(400);
    // Through the URL, a prefix is refused like any credential-shaped query value.
    expect((await auth.api('GET', `/api/overview?q=${soonKey.displayPrefix}`)).status).toBe(400);

    for (const [method, path, body] of [
      ['GET', '/api/overview', undefined],
      ['POST', '/api/search', { q: 'zapflow' }],
    ] as const) {
      expect((await auth.api(method, path, body, null)).status).toBe(401);
      expect((await bob.request(method, path, body)).status).toBe(403);
    }
  });
});
