import { UsageService } from '../../apps/auth-server/src/usage/usage.service.js';
import { ADMIN_CLIENT_ID, AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';

describe.each(testDatabases())('PATs on the management API and for admins on $name', ({ create }) => {
  let server: AuthServerHarness;
  let introspector: { id: string; secret: string };
  let admin: any;
  let adminSession: ConsoleSession;
  let reader: any;
  let readerSession: ConsoleSession;

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read', 'contacts:write']);
    await server.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    introspector = await server.createClient({
      name: 'service-b',
      grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
    });
    admin = await server.createUser({ email: 'root@example.com', roles: ['admin', 'crm-reader'] });
    adminSession = await server.login('root@example.com');
    reader = await server.createUser({ email: 'reader@example.com', roles: ['crm-reader'] });
    readerSession = await server.login('reader@example.com');
  });
  afterAll(() => server.stop());

  it('has a built-in admin role that cannot be deleted or changed', async () => {
    const roles = (await server.api('GET', '/api/roles')).body;
    const adminRole = roles.find((role: any) => role.name === 'admin');
    expect(adminRole).toMatchObject({ system: true, grants: [{ resource: server.managementApi, scopes: ['admin'] }] });
    expect((await server.api('DELETE', `/api/roles/${adminRole.id}`)).status).toBe(409);
    expect((await server.api('PATCH', `/api/roles/${adminRole.id}`, { grants: [] })).status).toBe(409);
  });

  it('lets an admin’s PAT (role admin, scope admin) manage the API', async () => {
    const pat = await adminSession.createToken({ name: 'admin cli', scopes: ['admin'] });
    const clients = await server.api('GET', '/api/clients', undefined, pat.token);
    expect(clients.status).toBe(200);
    expect(clients.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: ADMIN_CLIENT_ID })]));

    const created = await server.api('POST', '/api/roles', { name: 'made-by-pat', grants: [] }, pat.token);
    expect(created.status).toBe(201);
    const audit = await server.api('GET', '/api/audit?action=role.created');
    expect(audit.body.items[0]).toMatchObject({
      actor: { type: 'user', id: admin.id },
      details: { name: 'made-by-pat' },
    });

    // Uses on the management API count as "last used" too (written in the usage service's next batch).
    await server.app.get(UsageService).flush();
    const listed = await adminSession.request('GET', `/api/me/tokens/${pat.id}`);
    expect(listed.body).toMatchObject({ lastUsedAt: expect.any(String), lastUsedAddress: '127.0.0.1' });
  });

  it('answers 403 insufficient_scope to a normal user’s PAT on admin routes', async () => {
    const pat = await readerSession.createToken({ name: 'reader cli', scopes: ['contacts:read'] });
    const response = await server.api('GET', '/api/clients', undefined, pat.token);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'insufficient_scope', scope: 'admin' });
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    // Its owner's profile is still readable with it.
    expect((await server.api('GET', '/api/me', undefined, pat.token)).body.user).toMatchObject({ id: reader.id });
  });

  it('loses admin rights as soon as the admin role is removed', async () => {
    const demoted = await server.createUser({ email: 'former-admin@example.com', roles: ['admin'] });
    const pat = await (
      await server.login('former-admin@example.com')
    ).createToken({ name: 'admin cli', scopes: ['admin'] });
    expect((await server.api('GET', '/api/users', undefined, pat.token)).status).toBe(200);
    await server.api('PUT', `/api/users/${demoted.id}/roles`, { roles: [] });
    expect((await server.api('GET', '/api/users', undefined, pat.token)).status).toBe(403);
  });

  it('refuses bearer credentials on /api/me/tokens: a token cannot mint tokens', async () => {
    const pat = await adminSession.createToken({ name: 'no minting', scopes: ['admin'] });
    for (const bearer of [pat.token, await server.admin()]) {
      for (const [method, body] of [
        ['GET', undefined],
        ['POST', { name: 'minted', scopes: ['admin'], expiresInDays: 1 }],
      ] as const) {
        const response = await server.api(method, '/api/me/tokens', body, bearer);
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({
          type: 'urn:tollgate:problem:session_required',
          detail: expect.stringContaining('signed-in console session'),
        });
      }
    }
    expect((await server.api('GET', '/api/me/tokens', undefined, null)).status).toBe(401);
  });

  it('lets admins list and revoke any user’s tokens, naming the admin in the audit', async () => {
    const pat = await readerSession.createToken({ name: 'to be revoked by admin', scopes: ['contacts:read'] });
    const listed = await server.api('GET', `/api/users/${reader.id}/tokens`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((t: any) => t.id)).toContain(pat.id);
    expect(JSON.stringify(listed.body)).not.toContain(pat.token);

    expect((await adminSession.request('DELETE', `/api/users/${reader.id}/tokens/${pat.id}`)).status).toBe(204);
    expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
    const audit = await server.api('GET', `/api/audit?action=pat.revoked&credential=${pat.id}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ actor: { type: 'user', id: admin.id }, reason: 'revoked by an admin' }),
    ]);
    expect((await server.api('DELETE', `/api/users/${reader.id}/tokens/${admin.id}`)).status).toBe(404);
  });

  it('revokes all of a user’s tokens at once', async () => {
    const user = await server.createUser({ email: 'incident@example.com', roles: ['crm-reader'] });
    const session = await server.login('incident@example.com');
    const first = await session.createToken({ name: 'one', scopes: ['contacts:read'] });
    const second = await session.createToken({ name: 'two', scopes: ['contacts:read'] });
    expect((await server.api('DELETE', `/api/users/${user.id}/tokens`)).status).toBe(204);
    for (const pat of [first, second])
      expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
  });

  it('creates organisation-wide tokens for service accounts, which cannot sign in', async () => {
    const bot = await server.createUser({
      email: 'sync-bot@tollgate.test',
      displayName: 'CRM sync',
      kind: 'service_account',
      roles: ['crm-reader'],
    });
    expect(bot).toMatchObject({ kind: 'service_account', roles: ['crm-reader'] });

    const created = await adminSession.request('POST', `/api/users/${bot.id}/tokens`, {
      name: 'nightly sync',
      scopes: ['contacts:read'],
      expiresInDays: 90,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      userId: bot.id,
      createdBy: { type: 'user', id: admin.id },
      token: expect.stringMatching(/^tgp_/),
    });
    expect((await server.introspect(created.body.token, introspector, CRM)).body).toMatchObject({
      active: true,
      sub: bot.id,
      username: 'sync-bot@tollgate.test',
      scope: 'contacts:read',
    });
    const audit = await server.api('GET', `/api/audit?action=pat.created&credential=${created.body.id}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actor: { type: 'user', id: admin.id },
        details: expect.objectContaining({ userId: bot.id }),
      }),
    ]);

    const overreach = await server.api('POST', `/api/users/${bot.id}/tokens`, {
      name: 'too much',
      scopes: ['contacts:write'],
      expiresInDays: 1,
    });
    expect(overreach).toMatchObject({
      status: 400,
      body: {
        detail:
          'sync-bot@tollgate.test does not hold the scope contacts:write: a token cannot carry more than its owner holds',
      },
    });
    const forPerson = await server.api('POST', `/api/users/${reader.id}/tokens`, {
      name: 'impersonation',
      scopes: ['contacts:read'],
      expiresInDays: 1,
    });
    expect(forPerson.status).toBe(409);
    expect(forPerson.body.detail).toContain('only for service accounts');

    const login = await server.signIn('sync-bot@tollgate.test', 'any password at all');
    expect(login.status).toBe(401);
  });

  it('revokes a PAT reported as leaked at /api/leaks', async () => {
    const pat = await readerSession.createToken({ name: 'pasted in a gist', scopes: ['contacts:read'] });
    expect(
      (
        await server.api(
          'POST',
          '/api/leaks',
          [{ token: pat.token, url: 'https://gist.example/x', source: 'scanner' }],
          null,
        )
      ).status,
    ).toBe(202);
    await eventually(async () =>
      expect((await readerSession.request('GET', `/api/me/tokens/${pat.id}`)).body.status).toBe('revoked'),
    );
    expect((await server.introspect(pat.token, introspector, CRM)).body).toEqual({ active: false });
    const audit = await server.api('GET', `/api/audit?credential=${pat.id}`);
    expect(audit.body.items.map((e: any) => [e.action, e.reason])).toEqual(
      expect.arrayContaining([
        ['pat.revoked', 'leaked'],
        ['credential.leaked', 'reported as leaked'],
      ]),
    );
  });

  it('manages users: validation, uniqueness, no password hash in answers', async () => {
    const weak = await server.api('POST', '/api/users', {
      email: 'weak@example.com',
      displayName: 'Weak',
      password: 'short',
    });
    expect(weak).toMatchObject({ status: 400, body: { detail: 'password must be at least 12 characters' } });
    const same = await server.api('POST', '/api/users', {
      email: 'same@example.com',
      displayName: 'Same',
      password: 'SAME@example.com',
    });
    expect(same).toMatchObject({ status: 400, body: { detail: 'password must not be the email address' } });
    const long = await server.api('POST', '/api/users', {
      email: 'long@example.com',
      displayName: 'Long',
      password: 'x'.repeat(257),
    });
    expect(long).toMatchObject({ status: 400, body: { detail: 'password must be at most 256 characters' } });
    const duplicate = await server.api('POST', '/api/users', {
      email: ' READER@example.com ',
      displayName: 'Again',
      password: 'another long password',
    });
    expect(duplicate.status).toBe(400);
    const duplicateNormalised = await server.api('POST', '/api/users', {
      email: 'READER@example.com',
      displayName: 'Again',
      password: 'another long password',
    });
    expect(duplicateNormalised).toMatchObject({
      status: 409,
      body: { detail: 'A user with email reader@example.com already exists' },
    });
    const unknownRole = await server.api('POST', '/api/users', {
      email: 'new@example.com',
      displayName: 'New',
      password: 'another long password',
      roles: ['nope'],
    });
    expect(unknownRole).toMatchObject({ status: 400, body: { detail: 'Unknown role nope' } });

    const list = await server.api('GET', '/api/users');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|passwordHash/);
    expect((await server.api('GET', '/api/users?email=Reader@Example.com')).body.map((u: any) => u.id)).toEqual([
      reader.id,
    ]);
    expect((await readerSession.request('GET', '/api/users')).status).toBe(403);
  });

  it('keeps an admin from locking themselves out', async () => {
    expect((await adminSession.request('PATCH', `/api/users/${admin.id}`, { disabled: true })).status).toBe(409);
    expect((await adminSession.request('DELETE', `/api/users/${admin.id}`)).status).toBe(409);
    expect(
      (await adminSession.request('PUT', `/api/users/${admin.id}/roles`, { roles: ['crm-reader'] })).body,
    ).toMatchObject({ status: 409, detail: 'You cannot remove your own admin role' });
  });

  it('validates role grants against the resource’s scopes', async () => {
    const bad = await server.api('POST', '/api/roles', {
      name: 'bad',
      grants: [{ resource: CRM, scopes: ['contacts:delete'] }],
    });
    expect(bad).toMatchObject({ status: 400, body: { detail: `Resource ${CRM} has no scope contacts:delete` } });
    const badName = await server.api('POST', '/api/roles', { name: 'Bad Name', grants: [] });
    expect(badName.status).toBe(400);
    const duplicate = await server.api('POST', '/api/roles', { name: 'crm-reader', grants: [] });
    expect(duplicate.status).toBe(409);
  });
});
