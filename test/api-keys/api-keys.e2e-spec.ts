import { ManualClock } from '@tollgate/platform';
import { DataSource } from 'typeorm';
import { UsageService } from '../../apps/auth-server/src/usage/usage.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import { testDatabases } from '../support/test-databases.js';

/** The seed's API-key story: a registered consumer (a Zapier-like integration) reads the CRM with a restricted key. */
describe.each(testDatabases())('API keys at service-b on $name', ({ create }) => {
  const clock = new ManualClock();
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let consumerId: string;

  async function issueKey(
    body: Record<string, unknown> = {},
    consumer = consumerId,
  ): Promise<{ id: string; key: string; body: any }> {
    const response = await auth.api('POST', `/api/consumers/${consumer}/keys`, {
      name: 'zap',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      ...body,
    });
    expect(response.status).toBe(201);
    return { id: response.body.id, key: response.body.key, body: response.body };
  }

  const withKey = (key: string, method = 'GET', path = '/contacts', body?: unknown) =>
    crm.request(method, path, { 'x-api-key': key }, body);

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ clock, database: await create() });
    crm = await ServiceBHarness.start(auth, { overrides: { now: () => clock.now().getTime() } });
    const consumer = await auth.api('POST', '/api/consumers', {
      name: 'Zapflow',
      contact: 'ops@zapflow.example',
      description: 'CRM → email sync',
    });
    expect(consumer.status).toBe(201);
    consumerId = consumer.body.id;
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
    );
  });
  afterAll(async () => {
    await crm.stop();
    await auth.stop();
  });

  it('reads with a contacts:read key, in X-API-Key or as a bearer token, and cannot write', async () => {
    const { key, body } = await issueKey();
    expect(key).toMatch(/^tgk_live_[0-9A-Za-z]{49}$/);
    expect(body).toMatchObject({
      environment: 'live',
      displayPrefix: key.slice(0, 13),
      status: 'active',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });

    expect((await withKey(key)).status).toBe(200);
    expect((await crm.bearer(key)).status).toBe(200);
    const write = await withKey(key, 'POST', '/contacts', { name: 'Eve', email: 'eve@example.com' });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ error: 'insufficient_scope', scope: 'contacts:write' });
  });

  it('never shows the key again and never stores it in clear', async () => {
    const { id, key } = await issueKey();
    const listed = await auth.api('GET', `/api/consumers/${consumerId}/keys`);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.find((k: { id: string }) => k.id === id)).not.toHaveProperty('key');
    const dataSource = auth.app.get(DataSource);
    const tables =
      dataSource.options.type === 'postgres'
        ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`
        : `SELECT name FROM sqlite_master WHERE type = 'table'`;
    for (const { name } of await dataSource.query(tables)) {
      expect(JSON.stringify(await dataSource.query(`SELECT * FROM "${name}"`))).not.toContain(key.slice(9));
    }
  });

  it('is rate limited past its limit: 429 with Retry-After and RateLimit headers', async () => {
    const { key } = await issueKey({ rateLimit: { requests: 3, perSeconds: 60 } });
    // Every answer tells the caller where it stands (draft-ietf-httpapi-ratelimit-headers), not only the refusal.
    for (const remaining of [2, 1, 0]) {
      const allowed = await withKey(key);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('ratelimit-policy')).toBe('"credential";q=3;w=60');
      expect(allowed.headers.get('ratelimit')).toMatch(new RegExp(`^"credential";r=${remaining};t=\\d+$`));
      expect(allowed.headers.get('retry-after')).toBeNull();
    }
    const limited = await withKey(key);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, type: 'urn:tollgate:problem:rate_limited' });
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(limited.headers.get('ratelimit-policy')).toBe('"credential";q=3;w=60');
    expect(limited.headers.get('ratelimit')).toBe('"credential";r=0;t=60');
    clock.advance(20_000);
    expect((await withKey(key)).status).toBe(200);
  });

  it('carries its RateLimit fields on answers that are not 2xx too (scope refused, not found)', async () => {
    const { key } = await issueKey({ rateLimit: { requests: 5, perSeconds: 60 } });
    const refused = await withKey(key, 'POST', '/contacts', { name: 'Eve', email: 'eve@example.com' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('ratelimit')).toMatch(/^"credential";r=4;t=\d+$/);
    const missing = await withKey(key, 'GET', '/contacts/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ratelimit')).toMatch(/^"credential";r=3;t=\d+$/);
    expect(missing.headers.get('ratelimit-policy')).toBe('"credential";q=5;w=60');
  });

  it('sends no RateLimit fields for a key without a limit', async () => {
    const { key } = await issueKey();
    const response = await withKey(key);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit')).toBeNull();
    expect(response.headers.get('ratelimit-policy')).toBeNull();
  });

  it('is refused from an address outside its allowlist (403), accepted from inside', async () => {
    const outside = await issueKey({ ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] });
    const refused = await withKey(outside.key);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      type: 'urn:tollgate:problem:access_denied',
      detail: 'This credential may not be used from your address',
    });
    const inside = await issueKey({ ipAllowlist: ['127.0.0.0/8'] });
    expect((await withKey(inside.key)).status).toBe(200);
  });

  it('rolls with a one-minute overlap: both keys work, then only the new one', async () => {
    const old = await issueKey();
    expect((await withKey(old.key)).status).toBe(200);
    const rolled = await auth.api('POST', `/api/keys/${old.id}/roll`, { expireCurrentInMinutes: 1 });
    expect(rolled.status).toBe(201);
    expect(rolled.body).toMatchObject({ rolledFromId: old.id, grants: old.body.grants, status: 'active' });
    const fresh = rolled.body.key as string;
    expect((await withKey(old.key)).status).toBe(200);
    expect((await withKey(fresh)).status).toBe(200);

    clock.advance(61_000);
    const expired = await withKey(old.key);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ error: 'invalid_token' });
    expect((await withKey(fresh)).status).toBe(200);
    expect((await auth.api('GET', `/api/keys/${old.id}`)).body).toMatchObject({
      rolledToId: rolled.body.id,
      status: 'expired',
    });
    const audit = await auth.api('GET', `/api/audit?action=api-key.rolled&credential=${old.id}`);
    expect(audit.body.items[0].details).toMatchObject({ newKeyId: rolled.body.id });
  });

  it('shares one rate limit with the key it was rolled from: rolling does not double the limit during the overlap', async () => {
    const old = await issueKey({ rateLimit: { requests: 4, perSeconds: 3600 } });
    for (let i = 0; i < 3; i++) expect((await withKey(old.key)).status).toBe(200);
    const rolled = await auth.api('POST', `/api/keys/${old.id}/roll`, { expireCurrentInMinutes: 10 });
    expect(rolled.status).toBe(201);
    const fresh = rolled.body.key as string;

    const first = await withKey(fresh);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toMatch(/^"credential";r=0;/);
    expect((await withKey(fresh)).status).toBe(429);
    expect((await withKey(old.key)).status).toBe(429);
    // The next roll keeps the same bucket.
    const again = await auth.api('POST', `/api/keys/${rolled.body.id}/roll`, { expireCurrentInMinutes: 10 });
    expect((await withKey(again.body.key)).status).toBe(429);
  });

  it('stops working at once when revoked (revocation feed evicts the cached introspection)', async () => {
    const { id, key } = await issueKey();
    expect((await withKey(key)).status).toBe(200);
    expect((await auth.api('DELETE', `/api/keys/${id}`)).status).toBe(204);
    await eventually(async () => expect((await withKey(key)).status).toBe(401));
    expect((await withKey(key)).body).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringContaining('revoked'),
    });
  });

  it('stops working when its consumer is disabled, and works again when re-enabled', async () => {
    const other = await auth.api('POST', '/api/consumers', { name: 'Second integration', contact: 'b@example.com' });
    const { key } = await issueKey({}, other.body.id);
    expect((await withKey(key)).status).toBe(200);
    expect((await auth.api('PATCH', `/api/consumers/${other.body.id}`, { disabled: true })).status).toBe(200);
    await eventually(async () => expect((await withKey(key)).status).toBe(401));
    expect((await auth.api('PATCH', `/api/consumers/${other.body.id}`, { disabled: false })).status).toBe(200);
    await eventually(async () => expect((await withKey(key)).status).toBe(200));
  });

  it.each<[string, () => Promise<{ headers?: Record<string, string>; path?: string }>, number, string]>([
    [
      'a mistyped key (checksum)',
      async () => ({ headers: { 'x-api-key': (await issueKey()).key.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) } }),
      401,
      'checksum does not match',
    ],
    [
      'a well-formed key that does not exist',
      async () => ({ headers: { 'x-api-key': 'tgk_live_' + '0'.repeat(43) + 'AAAAAA' } }),
      401,
      '',
    ],
    [
      'a key in the query string',
      async () => ({ path: `/contacts?api_key=${(await issueKey()).key}` }),
      400,
      'not accepted in the URL',
    ],
    [
      'an expired key',
      async () => {
        const { key } = await issueKey({ expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() });
        clock.advance(61_000);
        return { headers: { 'x-api-key': key } };
      },
      401,
      'not valid',
    ],
  ])('refuses %s', async (_name, make, status, detail) => {
    const { headers = {}, path = '/contacts' } = await make();
    const response = await crm.request('GET', path, headers);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ status, detail: expect.stringContaining(detail) });
  });

  it('counts usage by day and status class, and records last use', async () => {
    const { id, key } = await issueKey();
    await withKey(key);
    await withKey(key);
    await withKey(key, 'DELETE', '/contacts/00000000-0000-4000-8000-000000000000');
    await crm.app.get((await import('@tollgate/verifier')).ResourceServerVerification).usage!.flush();
    await auth.app.get(UsageService).flush();
    const usage = await auth.api('GET', `/api/keys/${id}/usage`);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      totals: { '2xx': 2, '4xx': 1 },
      lastUsedAddress: '127.0.0.1',
      lastUsedAt: expect.any(String),
    });
    const denied = await auth.api('GET', `/api/audit?action=api-key.use.denied&credential=${id}`);
    expect(denied.body.items).toEqual([expect.objectContaining({ reason: 'insufficient_scope', outcome: 'denied' })]);
  });

  it('counts requests refused by its own rate limit (429) or address allowlist (403) in its usage, and audits them with a count', async () => {
    const limited = await issueKey({ rateLimit: { requests: 1, perSeconds: 3600 } });
    const fenced = await issueKey({ ipAllowlist: ['10.0.0.0/8'] });
    expect((await withKey(limited.key)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await withKey(limited.key)).status).toBe(429);
    for (let i = 0; i < 2; i++) expect((await withKey(fenced.key)).status).toBe(403);
    await crm.app.get((await import('@tollgate/verifier')).ResourceServerVerification).usage!.flush();
    await auth.app.get(UsageService).flush();

    expect((await auth.api('GET', `/api/keys/${limited.id}/usage`)).body).toMatchObject({
      totals: { '2xx': 1, '4xx': 3 },
      lastUsedAddress: '127.0.0.1',
    });
    expect((await auth.api('GET', `/api/keys/${fenced.id}/usage`)).body).toMatchObject({
      totals: { '4xx': 2 },
      lastUsedAddress: '127.0.0.1',
    });
    const throttled = await auth.api('GET', `/api/audit?action=api-key.use.denied&credential=${limited.id}`);
    expect(throttled.body.items).toEqual([
      expect.objectContaining({ reason: 'rate_limited', details: expect.objectContaining({ count: 3 }) }),
    ]);
    const outside = await auth.api('GET', `/api/audit?action=api-key.use.denied&credential=${fenced.id}`);
    expect(outside.body.items).toEqual([
      expect.objectContaining({ reason: 'ip_not_allowed', details: expect.objectContaining({ count: 2 }) }),
    ]);
  });

  it('revokes a real leaked key reported at /api/leaks and answers the same for garbage', async () => {
    const { id, key } = await issueKey();
    const garbage = await auth.api('POST', '/api/leaks', { token: 'definitely-not-a-key', source: 'scanner' }, null);
    const real = await auth.api(
      'POST',
      '/api/leaks',
      [{ token: key, url: 'https://gist.example/abc', source: 'scanner' }],
      null,
    );
    expect(real.status).toBe(202);
    expect(real.body).toEqual(garbage.body);
    expect(garbage.body).toEqual({ status: 'received', count: 1 });
    await eventually(async () => expect((await auth.api('GET', `/api/keys/${id}`)).body.status).toBe('revoked'));
    await eventually(async () => expect((await withKey(key)).status).toBe(401));
    // The leak is handled in the background: its audit entry is written after the key is revoked.
    await eventually(async () => {
      const audit = await auth.api('GET', `/api/audit?action=credential.leaked&credential=${id}`);
      expect(audit.body.items[0]).toMatchObject({
        outcome: 'success',
        details: { url: 'https://gist.example/abc', source: 'scanner' },
      });
    });
  });
});
