import { ManualClock } from '@tollgate/platform';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const BILLING = 'https://billing.tollgate.test';
const DAY_MS = 86_400_000;

/** Changes one character of the body: the checksum no longer matches. */
function typo(token: string): string {
  const index = 10;
  return token.slice(0, index) + (token[index] === 'a' ? 'b' : 'a') + token.slice(index + 1);
}

describe.each(testDatabases())('PATs that must not work on $name', ({ create }) => {
  let server: AuthServerHarness;
  let clock: ManualClock;
  let introspector: { id: string; secret: string };

  /** A fresh person with the given roles, signed in. */
  async function person(email: string, roles: string[]): Promise<{ user: any; session: ConsoleSession }> {
    const user = await server.createUser({ email, roles });
    return { user, session: await server.login(email) };
  }

  async function deniedEvents(patId: string): Promise<{ reason: string }[]> {
    const audit = await server.api('GET', `/api/audit?action=pat.use.denied&credential=${patId}`);
    return audit.body.items.map((event: any) => ({ reason: event.reason, resource: event.details?.resource }));
  }

  beforeAll(async () => {
    clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
    server = await AuthServerHarness.start({ database: await create(), clock });
    await server.createResource(CRM, ['contacts:read', 'contacts:write']);
    await server.createResource(BILLING, ['invoices:read']);
    await server.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    await server.createRole('crm-writer', [{ resource: CRM, scopes: ['contacts:write'] }]);
    await server.createRole('billing-reader', [{ resource: BILLING, scopes: ['invoices:read'] }]);
    introspector = await server.createClient({
      name: 'service-b',
      grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
    });
  });
  afterAll(() => server.stop());

  it('is inactive once expired, and the denial is audited', async () => {
    const { session } = await person('expiring@example.com', ['crm-reader']);
    const pat = await session.createToken({ name: 'one day', scopes: ['contacts:read'], expiresInDays: 1 });
    expect((await server.introspect(pat.token, introspector, CRM)).body.active).toBe(true);

    clock.advance(DAY_MS);
    server.resetAdminToken();

    expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
    expect(await deniedEvents(pat.id)).toEqual([{ reason: 'expired', resource: CRM }]);
  });

  it('is refused on a one-character typo before any lookup (nothing is audited)', async () => {
    const { session } = await person('typo@example.com', ['crm-reader']);
    const pat = await session.createToken({ name: 'typo', scopes: ['contacts:read'] });
    const before = await server.api('GET', '/api/audit?limit=200');

    expect((await server.introspect(typo(pat.token), introspector, CRM)).body).toEqual({ active: false });
    const management = await server.api('GET', '/api/me', undefined, typo(pat.token));
    expect(management.status).toBe(401);
    expect(management.body).toMatchObject({ error: 'invalid_token', detail: expect.stringContaining('checksum') });

    const after = await server.api('GET', '/api/audit?limit=200');
    expect(after.body.items.filter((e: any) => e.action.startsWith('pat.'))).toEqual(
      before.body.items.filter((e: any) => e.action.startsWith('pat.')),
    );
    expect(await deniedEvents(pat.id)).toEqual([]);
  });

  it('stops working at once when its owner is disabled, and works again when enabled', async () => {
    const { user, session } = await person('leaver@example.com', ['crm-reader']);
    const pat = await session.createToken({ name: 'leaver', scopes: ['contacts:read'] });

    expect((await server.api('PATCH', `/api/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
    expect(await deniedEvents(pat.id)).toEqual([{ reason: 'user disabled', resource: CRM }]);

    expect((await server.api('PATCH', `/api/users/${user.id}`, { disabled: false })).status).toBe(200);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toMatchObject({
      active: true,
      scope: 'contacts:read',
    });
  });

  it('stops working at once when its owner is deleted', async () => {
    const { user, session } = await person('deleted@example.com', ['crm-reader']);
    const pat = await session.createToken({ name: 'gone', scopes: ['contacts:read'] });
    expect((await server.api('DELETE', `/api/users/${user.id}`)).status).toBe(204);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
  });

  it('narrows at once when its owner loses a role, or a role loses a scope', async () => {
    const { user, session } = await person('demoted@example.com', ['crm-reader', 'crm-writer']);
    const pat = await session.createToken({ name: 'both', scopes: ['contacts:read', 'contacts:write'] });
    expect((await server.introspect(pat.token, introspector, CRM)).body.scope).toBe('contacts:read contacts:write');

    expect((await server.api('PUT', `/api/users/${user.id}/roles`, { roles: ['crm-reader'] })).status).toBe(200);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toMatchObject({
      active: true,
      scope: 'contacts:read',
    });

    const roles = (await server.api('GET', '/api/roles')).body;
    const reader = roles.find((role: any) => role.name === 'crm-reader');
    const narrowed = await server.api('PATCH', `/api/roles/${reader.id}`, { grants: [] });
    expect(narrowed.status).toBe(200);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toMatchObject({ active: true, scope: '' });
    expect(
      (await server.api('PATCH', `/api/roles/${reader.id}`, { grants: [{ resource: CRM, scopes: ['contacts:read'] }] }))
        .status,
    ).toBe(200);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toMatchObject({ scope: 'contacts:read' });
  });

  it('is inactive at a resource it is not restricted to', async () => {
    const { session } = await person('restricted@example.com', ['crm-reader', 'billing-reader']);
    const pat = await session.createToken({ name: 'billing only', scopes: ['invoices:read'], resource: BILLING });
    expect(pat.resources).toEqual([BILLING]);

    expect((await server.introspect(pat.token, introspector, BILLING)).body).toMatchObject({
      active: true,
      scope: 'invoices:read',
      aud: [BILLING],
    });
    expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
    expect(await deniedEvents(pat.id)).toEqual([{ reason: 'restricted to other resources', resource: CRM }]);
    // The management API is another resource too.
    const management = await server.api('GET', '/api/me', undefined, pat.token);
    expect(management.status).toBe(401);
    expect(management.body).toMatchObject({ error: 'invalid_token' });
  });

  it('accepts a list of resources and scopes held on any of them', async () => {
    const { session } = await person('two-resources@example.com', ['crm-reader', 'billing-reader']);
    const pat = await session.createToken({
      name: 'crm and billing',
      scopes: ['contacts:read', 'invoices:read'],
      resource: [CRM, BILLING],
    });
    expect((await server.introspect(pat.token, introspector, CRM)).body).toMatchObject({
      active: true,
      scope: 'contacts:read',
      aud: [CRM, BILLING],
    });
    expect((await server.introspect(pat.token, introspector, BILLING)).body).toMatchObject({
      active: true,
      scope: 'invoices:read',
    });
  });
});
