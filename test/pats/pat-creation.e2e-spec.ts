import { DataSource } from 'typeorm';
import { PatEntity } from '../../apps/auth-server/src/pats/pat.entity.js';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const BILLING = 'https://billing.tollgate.test';
const DAY_MS = 86_400_000;

describe.each(testDatabases())('creating PATs on $name', ({ create }) => {
  let server: AuthServerHarness;
  let session: ConsoleSession;
  let user: any;

  const storedCount = () => server.app.get(DataSource).getRepository(PatEntity).countBy({ userId: user.id });

  async function refused(body: Record<string, unknown>): Promise<{ status: number; messages: string }> {
    const before = await storedCount();
    const response = await session.request('POST', '/api/me/tokens', body);
    expect(await storedCount()).toBe(before);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return { status: response.status, messages: [response.body.detail, ...(response.body.errors ?? [])].join(' | ') };
  }

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read', 'contacts:write']);
    await server.createResource(BILLING, ['invoices:read']);
    await server.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    await server.createRole('billing-reader', [{ resource: BILLING, scopes: ['invoices:read'] }]);
    user = await server.createUser({ email: 'eve@example.com', roles: ['crm-reader', 'billing-reader'] });
    session = await server.login('eve@example.com');
  });
  afterAll(() => server.stop());

  it.each([
    [
      'scopes the user lacks',
      { name: 'x', scopes: ['contacts:read', 'contacts:write', 'admin'], expiresInDays: 7 },
      'You do not hold the scopes contacts:write, admin: a token cannot carry more than its owner holds',
    ],
    [
      'a scope held only outside the restriction',
      { name: 'x', scopes: ['invoices:read'], resource: CRM, expiresInDays: 7 },
      'You do not hold the scope invoices:read on the resources the token is restricted to',
    ],
    [
      'a past expiry',
      { name: 'x', scopes: ['contacts:read'], expiresAt: new Date(Date.now() - 60_000).toISOString() },
      'expiresAt must be in the future',
    ],
    [
      'an expiry beyond the policy',
      { name: 'x', scopes: ['contacts:read'], expiresAt: new Date(Date.now() + 91 * DAY_MS).toISOString() },
      'expiresAt is beyond the maximum lifetime of 90 days',
    ],
    [
      'a lifetime beyond the policy',
      { name: 'x', scopes: ['contacts:read'], expiresInDays: 91 },
      'expiresInDays is beyond the maximum lifetime of 90 days',
    ],
    [
      'no expiry while the policy requires one',
      { name: 'x', scopes: ['contacts:read'] },
      'expiresAt or expiresInDays is required: tokens without an expiry are not allowed (maximum lifetime: 90 days)',
    ],
    [
      'both expiry forms',
      {
        name: 'x',
        scopes: ['contacts:read'],
        expiresInDays: 1,
        expiresAt: new Date(Date.now() + DAY_MS).toISOString(),
      },
      'Give expiresAt or expiresInDays, not both',
    ],
    ['an empty name', { name: '', scopes: ['contacts:read'], expiresInDays: 7 }, 'name must be 1–100 characters'],
    ['a blank name', { name: '   ', scopes: ['contacts:read'], expiresInDays: 7 }, 'name must be 1–100 characters'],
    [
      'a 10 KB name',
      { name: 'n'.repeat(10_240), scopes: ['contacts:read'], expiresInDays: 7 },
      'name must be 1–100 characters',
    ],
    // It was stored, and the audit page's JSON then broke strict readers (jq).
    [
      'a name with a lone UTF-16 surrogate',
      { name: 'deploy \ud83d', scopes: ['contacts:read'], expiresInDays: 7 },
      'The request contains a lone UTF-16 surrogate',
    ],
    ['no scopes', { name: 'x', scopes: [], expiresInDays: 7 }, 'scopes must name at least one scope'],
    [
      'a malformed scope',
      { name: 'x', scopes: ['contacts read'], expiresInDays: 7 },
      'each scope must be 1–128 characters',
    ],
    [
      'an unknown resource',
      { name: 'x', scopes: ['contacts:read'], resource: 'https://unknown.tollgate.test', expiresInDays: 7 },
      'Unknown resource https://unknown.tollgate.test',
    ],
    [
      'a resource that is not a URI',
      { name: 'x', scopes: ['contacts:read'], resource: 'crm', expiresInDays: 7 },
      'must be an absolute URI',
    ],
    [
      'a malformed date',
      { name: 'x', scopes: ['contacts:read'], expiresAt: 'next tuesday' },
      'expiresAt must be an ISO 8601 date-time',
    ],
    [
      'an unknown field',
      { name: 'x', scopes: ['contacts:read'], expiresInDays: 7, owner: 'someone-else' },
      'property owner should not exist',
    ],
  ])('refuses %s with a 400 naming the problem, storing nothing', async (_case, body, message) => {
    const response = await refused(body);
    expect(response.status).toBe(400);
    expect(response.messages).toContain(message);
  });

  it('follows the lifetime policy an admin sets at runtime', async () => {
    expect((await server.api('GET', '/api/settings/pat-policy')).body).toEqual({
      maxLifetimeDays: 90,
      allowNoExpiry: false,
      expiryWarningDays: 7,
    });

    const updated = await server.api('PUT', '/api/settings/pat-policy', {
      maxLifetimeDays: 30,
      allowNoExpiry: true,
      expiryWarningDays: 3,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ maxLifetimeDays: 30, allowNoExpiry: true, expiryWarningDays: 3 });
    expect((await server.api('GET', '/api/settings/pat-policy')).body).toEqual({
      maxLifetimeDays: 30,
      allowNoExpiry: true,
      expiryWarningDays: 3,
    });
    // Every person reads the policy their tokens follow (the console's form draws its choices from it).
    expect(await session.request('GET', '/api/me/tokens/policy')).toMatchObject({
      status: 200,
      body: { maxLifetimeDays: 30, allowNoExpiry: true, expiryWarningDays: 3 },
    });

    expect((await refused({ name: 'x', scopes: ['contacts:read'], expiresInDays: 31 })).messages).toContain(
      'maximum lifetime of 30 days',
    );
    const forever = await session.createToken({ name: 'forever', scopes: ['contacts:read'], expiresInDays: undefined });
    expect(forever).toMatchObject({ expiresAt: null, status: 'active' });

    const audit = await server.api('GET', '/api/audit?action=pat.policy.updated');
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actor: { type: 'client', id: 'test-admin' },
        details: {
          before: { maxLifetimeDays: 90, allowNoExpiry: false, expiryWarningDays: 7 },
          after: { maxLifetimeDays: 30, allowNoExpiry: true, expiryWarningDays: 3 },
        },
      }),
    ]);

    // A client written before the warning setting existed leaves it as it is.
    await server.api('PUT', '/api/settings/pat-policy', { maxLifetimeDays: 30, allowNoExpiry: true });
    expect((await server.api('GET', '/api/settings/pat-policy')).body.expiryWarningDays).toBe(3);
    await server.api('PUT', '/api/settings/pat-policy', {
      maxLifetimeDays: 90,
      allowNoExpiry: false,
      expiryWarningDays: 7,
    });
  });

  it('validates the policy and keeps it for admins', async () => {
    const invalid = await server.api('PUT', '/api/settings/pat-policy', {
      maxLifetimeDays: 0,
      allowNoExpiry: 'yes',
      expiryWarningDays: 91,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('maxLifetimeDays'),
        expect.stringContaining('allowNoExpiry'),
        expect.stringContaining('expiryWarningDays'),
      ]),
    );
    expect(
      (await session.request('PUT', '/api/settings/pat-policy', { maxLifetimeDays: 3650, allowNoExpiry: true })).status,
    ).toBe(403);
    expect((await server.api('GET', '/api/settings/pat-policy', undefined, null)).status).toBe(401);
  });

  it('lists the tokens about to expire', async () => {
    const soon = await session.createToken({ name: 'soon', scopes: ['contacts:read'], expiresInDays: 3 });
    await session.createToken({ name: 'later', scopes: ['contacts:read'], expiresInDays: 30 });
    const expiring = await session.request('GET', '/api/me/tokens?expiring=7d');
    expect(expiring.status).toBe(200);
    expect(expiring.body.map((pat: any) => pat.id)).toEqual([soon.id]);
    expect((await session.request('GET', '/api/me/tokens?expiring=soon')).status).toBe(400);
    expect((await session.request('GET', '/api/me/tokens?expiring=400d')).status).toBe(400);
  });
});
