import { DataSource } from 'typeorm';
import { LastUsedSinkRegistry } from '../../apps/auth-server/src/oauth/credential-usage.js';
import { UserEntity } from '../../apps/auth-server/src/users/user.entity.js';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';

describe.each(testDatabases())('personal access tokens on $name', ({ create }) => {
  let server: AuthServerHarness;
  let introspector: { id: string; secret: string };
  let dana: any;
  let session: ConsoleSession;

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read', 'contacts:write']);
    await server.createRole('crm-editor', [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }]);
    introspector = await server.createClient({
      name: 'service-b',
      grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
    });
    dana = await server.createUser({ email: 'Dana@Example.com', roles: ['crm-editor'] });
    session = await server.login('dana@example.com');
  });
  afterAll(() => server.stop());

  it('creates a token shown once, introspects it with exactly its scope, revokes it', async () => {
    const created = await session.request('POST', '/api/me/tokens', {
      name: 'contacts script',
      scopes: ['contacts:read'],
      expiresInDays: 30,
    });

    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^tgp_[0-9A-Za-z]{49}$/);
    expect(created.body).toEqual({
      id: expect.any(String),
      userId: dana.id,
      name: 'contacts script',
      scopes: ['contacts:read'],
      resources: [],
      displayPrefix: token.slice(0, 8),
      status: 'active',
      createdAt: expect.any(String),
      createdBy: { type: 'user', id: dana.id },
      expiresAt: new Date(Date.parse(created.body.createdAt) + 30 * 86_400_000).toISOString(),
      lastUsedAt: null,
      lastUsedAddress: null,
      revokedAt: null,
      token,
    });

    const active = await server.introspect(token, introspector, CRM);
    expect(active.status).toBe(200);
    // The contract service-b relies on (RFC 7662 + Tollgate members): contacts:write is not granted.
    expect(active.body).toEqual({
      active: true,
      token_type: 'Bearer',
      credential_type: 'pat',
      credential_id: created.body.id,
      sub: dana.id,
      scope: 'contacts:read',
      aud: [],
      iss: server.issuer,
      iat: Math.floor(Date.parse(created.body.createdAt) / 1000),
      exp: Math.floor(Date.parse(created.body.expiresAt) / 1000),
      username: 'dana@example.com',
      user_id: dana.id,
    });

    const list = await session.request('GET', '/api/me/tokens');
    expect(list.status).toBe(200);
    const { token: _secret, ...withoutSecret } = created.body;
    expect(list.body).toEqual([withoutSecret]);
    expect(JSON.stringify(list.body)).not.toContain(token);

    const revoked = await session.request('DELETE', `/api/me/tokens/${created.body.id}`);
    expect(revoked.status).toBe(204);
    expect((await server.introspect(token, introspector, CRM)).body).toEqual({ active: false });
    expect((await session.request('GET', `/api/me/tokens/${created.body.id}`)).body).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
    });

    const audit = await server.api('GET', `/api/audit?credential=${created.body.id}`);
    expect(audit.body.items.map((e: any) => [e.action, e.outcome, e.actor])).toEqual([
      ['pat.use.denied', 'denied', { type: 'user', id: dana.id }],
      ['pat.revoked', 'success', { type: 'user', id: dana.id }],
      ['pat.created', 'success', { type: 'user', id: dana.id }],
    ]);
    expect(audit.body.items[0].reason).toBe('revoked');
  });

  it('answers for the resource asked: all of its scopes the owner holds there, nothing elsewhere', async () => {
    const { token } = await session.createToken({
      name: 'read and write',
      scopes: ['contacts:read', 'contacts:write'],
    });
    expect((await server.introspect(token, introspector, CRM)).body.scope).toBe('contacts:read contacts:write');
    // Unrestricted, so active at another resource, where Dana holds nothing: no scope there.
    expect((await server.introspect(token, introspector, 'https://billing.tollgate.test')).body).toMatchObject({
      active: true,
      scope: '',
    });
    // No resource named: the token's scopes the owner still holds anywhere.
    expect((await server.introspect(token, introspector)).body).toMatchObject({
      active: true,
      scope: 'contacts:read contacts:write',
    });
  });

  it('refuses to introspect PATs for clients without tokens:introspect', async () => {
    const { token } = await session.createToken({ name: 'not for everyone', scopes: ['contacts:read'] });
    const other = await server.createClient({ name: 'plain', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    expect((await server.introspect(token, other, CRM)).body).toEqual({ active: false });
  });

  it('keeps names unique among live tokens; a revoked token’s name can be reused', async () => {
    const first = await session.createToken({ name: 'ci', scopes: ['contacts:read'] });
    const duplicate = await session.request('POST', '/api/me/tokens', {
      name: 'ci',
      scopes: ['contacts:read'],
      expiresInDays: 1,
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({
      status: 409,
      detail: 'A token named "ci" already exists: choose another name or revoke that token',
    });
    expect((await session.request('DELETE', `/api/me/tokens/${first.id}`)).status).toBe(204);
    expect(
      (await session.request('POST', '/api/me/tokens', { name: 'ci', scopes: ['contacts:read'], expiresInDays: 1 }))
        .status,
    ).toBe(201);
  });

  it('records last use (time and address) through the last-used sink, never moving backwards', async () => {
    const pat = await session.createToken({ name: 'used', scopes: ['contacts:read'] });
    const sink = server.app.get(LastUsedSinkRegistry).sinkFor('pat')!;
    const later = new Date(Date.now() + 60_000);
    await sink.recordLastUsed([
      { credentialType: 'pat', credentialId: pat.id, at: new Date(later.getTime() - 30_000), address: '203.0.113.1' },
      { credentialType: 'pat', credentialId: pat.id, at: later, address: '203.0.113.7' },
      {
        credentialType: 'api_key',
        credentialId: pat.id,
        at: new Date(later.getTime() + 1000),
        address: '198.51.100.1',
      },
    ]);
    await sink.recordLastUsed([
      { credentialType: 'pat', credentialId: pat.id, at: new Date(later.getTime() - 5000), address: '203.0.113.9' },
    ]);

    const fetched = await session.request('GET', `/api/me/tokens/${pat.id}`);
    expect(fetched.body).toMatchObject({ lastUsedAt: later.toISOString(), lastUsedAddress: '203.0.113.7' });
  });

  it('lets nobody else see or revoke a user’s token through /api/me', async () => {
    await server.createUser({ email: 'mallory@example.com', roles: ['crm-editor'] });
    const mallory = await server.login('mallory@example.com');
    const pat = await session.createToken({ name: 'private', scopes: ['contacts:read'] });
    expect((await mallory.request('GET', `/api/me/tokens/${pat.id}`)).status).toBe(404);
    expect((await mallory.request('DELETE', `/api/me/tokens/${pat.id}`)).status).toBe(404);
    expect((await mallory.request('GET', '/api/me/tokens')).body).toEqual([]);
    expect((await server.introspect(pat.token, introspector, CRM)).body.active).toBe(true);
  });

  it('describes the signed-in user and what they may grant', async () => {
    const me = await session.request('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: expect.objectContaining({
        id: dana.id,
        email: 'dana@example.com',
        kind: 'person',
        roles: ['crm-editor'],
        disabled: false,
      }),
      permissions: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    expect(JSON.stringify(me.body)).not.toMatch(/password/i);
    const stored = await server.app.get(DataSource).getRepository(UserEntity).findOneByOrFail({ id: dana.id });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });
});
