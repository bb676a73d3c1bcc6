import { ManualClock } from '@tollgate/platform';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const BILLING = 'https://billing.tollgate.test';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const PAT_TYPE = 'urn:tollgate:params:oauth:token-type:pat';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const DAY_MS = 86_400_000;

describe.each(testDatabases())('RFC 8693 token exchange of PATs on $name', ({ create }) => {
  let server: AuthServerHarness;
  let clock: ManualClock;
  let exchanger: { id: string; secret: string };
  /** May exchange admins' PATs for the management API (it holds scope admin there itself). */
  let adminExchanger: { id: string; secret: string };
  let introspector: { id: string; secret: string };
  let admin: any;
  let session: ConsoleSession;

  function exchange(subjectToken: string, params: Record<string, string> = {}, client = exchanger) {
    return server.tokenRequest(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: subjectToken,
        subject_token_type: PAT_TYPE,
        resource: CRM,
        ...params,
      },
      client,
    );
  }

  beforeAll(async () => {
    clock = new ManualClock(new Date('2026-06-01T12:00:00Z'));
    server = await AuthServerHarness.start({ database: await create(), clock });
    await server.createResource(CRM, ['contacts:read', 'contacts:write'], { accessTokenTtl: 600 });
    await server.createResource(BILLING, ['invoices:read']);
    await server.createRole('crm-editor', [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }]);
    exchanger = await server.createClient({
      name: 'cli gateway',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
      allowTokenExchange: true,
    });
    adminExchanger = await server.createClient({
      name: 'admin cli gateway',
      grants: [{ resource: server.managementApi, scopes: ['admin'] }],
      allowTokenExchange: true,
    });
    introspector = await server.createClient({
      name: 'service-b',
      grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
    });
    admin = await server.createUser({ email: 'ops@example.com', roles: ['admin', 'crm-editor'] });
    session = await server.login('ops@example.com');
  });
  afterAll(() => server.stop());

  it('is listed in the metadata document', async () => {
    const metadata = await fetch(`${server.issuer}/.well-known/oauth-authorization-server`).then((r) => r.json());
    expect(metadata.grant_types_supported).toContain(TOKEN_EXCHANGE);
    expect(metadata.token_exchange_subject_token_types_supported).toEqual([PAT_TYPE]);
  });

  it('exchanges a PAT for a short-lived JWT naming the user, the PAT and the acting client', async () => {
    const pat = await session.createToken({
      name: 'exchange me',
      scopes: ['contacts:read', 'contacts:write', 'admin'],
    });
    const response = await exchange(pat.token, { scope: 'contacts:read' });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'contacts:read',
    });

    const jwks = createLocalJWKSet(await fetch(`${server.issuer}/.well-known/jwks.json`).then((r) => r.json()));
    const { payload, protectedHeader } = await jwtVerify(response.body.access_token, jwks, {
      issuer: server.issuer,
      audience: CRM,
      typ: 'at+jwt',
      currentDate: clock.now(),
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toEqual({
      iss: server.issuer,
      sub: admin.id,
      aud: CRM,
      client_id: exchanger.id,
      scope: 'contacts:read',
      pat_id: pat.id,
      act: { sub: exchanger.id },
      iat: Math.floor(clock.now().getTime() / 1000),
      exp: Math.floor(clock.now().getTime() / 1000) + 600,
      jti: expect.any(String),
    });

    const audit = await server.api('GET', `/api/audit?action=token.exchanged&credential=${payload.jti}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actor: { type: 'client', id: exchanger.id },
        details: expect.objectContaining({ patId: pat.id, userId: admin.id, aud: CRM, scope: 'contacts:read' }),
      }),
    ]);
  });

  it('gives every scope the PAT holds at the resource when scope is absent', async () => {
    const pat = await session.createToken({ name: 'all crm', scopes: ['contacts:read', 'contacts:write', 'admin'] });
    expect((await exchange(pat.token)).body.scope).toBe('contacts:read contacts:write');
  });

  it('gives a JWT that works on the management API when the PAT is an admin’s', async () => {
    const pat = await session.createToken({ name: 'admin exchange', scopes: ['admin'] });
    const response = await exchange(pat.token, { resource: server.managementApi, scope: 'admin' }, adminExchanger);
    expect(response.status).toBe(200);
    expect(decodeProtectedHeader(response.body.access_token).typ).toBe('at+jwt');
    const clients = await server.api('GET', '/api/clients', undefined, response.body.access_token);
    expect(clients.status).toBe(200);
    // An exchanged token stands for its PAT: it cannot mint credentials, nor manage tokens (not a session).
    const minted = await server.api(
      'POST',
      '/api/clients',
      { name: 'minted by an exchanged token', grants: [] },
      response.body.access_token,
    );
    expect(minted.status).toBe(403);
    expect(minted.body).toMatchObject({
      type: 'urn:tollgate:problem:credential_not_allowed',
      credential: 'exchanged_pat',
      allowed_credentials: ['session', 'client_credentials', 'cli_sign_in'],
    });
    expect((await server.api('GET', '/api/me/tokens', undefined, response.body.access_token)).status).toBe(403);
    expect((await server.api('GET', '/api/me', undefined, response.body.access_token)).body.user.id).toBe(admin.id);
  });

  it('ends the exchanged JWT when the PAT is revoked or its owner disabled', async () => {
    const pat = await session.createToken({ name: 'revoke me', scopes: ['contacts:read', 'admin'] });
    const crm = (await exchange(pat.token)).body.access_token;
    const management = (await exchange(pat.token, { resource: server.managementApi }, adminExchanger)).body
      .access_token;
    expect((await server.introspect(crm, introspector)).body).toMatchObject({
      active: true,
      pat_id: pat.id,
      sub: admin.id,
      scope: 'contacts:read',
    });
    expect((await server.api('GET', '/api/clients', undefined, management)).status).toBe(200);

    expect((await session.request('DELETE', `/api/me/tokens/${pat.id}`)).status).toBe(204);

    expect((await server.introspect(crm, introspector)).body).toEqual({ active: false });
    const refused = await server.api('GET', '/api/clients', undefined, management);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'invalid_token' });

    const owner = await server.createUser({ email: 'short-lived@example.com', roles: ['crm-editor'] });
    const ownerPat = await (
      await server.login('short-lived@example.com')
    ).createToken({ name: 'x', scopes: ['contacts:read'] });
    const jwt = (await exchange(ownerPat.token)).body.access_token;
    await server.api('PATCH', `/api/users/${owner.id}`, { disabled: true });
    expect((await server.introspect(jwt, introspector)).body).toEqual({ active: false });
  });

  it('refuses a revoked, expired or malformed PAT (invalid_request, RFC 8693 §2.2.2)', async () => {
    const pat = await session.createToken({ name: 'revoked before exchange', scopes: ['contacts:read'] });
    await session.request('DELETE', `/api/me/tokens/${pat.id}`);
    const revoked = await exchange(pat.token);
    expect(revoked.status).toBe(400);
    expect(revoked.body).toEqual({
      error: 'invalid_request',
      error_description: expect.stringContaining('subject_token is not active'),
    });
    // One character changed (never to itself): the checksum refuses it before any lookup.
    const typo = `${pat.token.slice(0, -1)}${pat.token.endsWith('x') ? 'y' : 'x'}`;
    expect((await exchange(typo)).body).toMatchObject({
      error: 'invalid_request',
      error_description: 'subject_token is not a personal access token',
    });
    expect((await exchange(exchanger.secret)).body).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses clients without allowTokenExchange (unauthorized_client)', async () => {
    const pat = await session.createToken({ name: 'wrong client', scopes: ['contacts:read'] });
    const plain = await server.createClient({ name: 'plain', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const response = await exchange(pat.token, {}, plain);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'unauthorized_client',
      error_description: expect.stringContaining('allowTokenExchange'),
    });

    expect(
      (await server.api('PATCH', `/api/clients/${plain.id}`, { allowTokenExchange: true })).body.allowTokenExchange,
    ).toBe(true);
    expect((await exchange(pat.token, {}, plain)).status).toBe(200);
  });

  it('needs a grant on the target resource, and gives no more than the client holds there (invalid_target, RFC 8693 §2.2.2)', async () => {
    const pat = await session.createToken({
      name: 'grant check',
      scopes: ['contacts:read', 'contacts:write', 'admin'],
    });
    const billing = await server.createClient({
      name: 'billing gateway',
      grants: [{ resource: BILLING, scopes: ['invoices:read'] }],
      allowTokenExchange: true,
    });
    const refused = await exchange(pat.token, {}, billing);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_target',
      error_description: expect.stringContaining('no grant on that resource'),
    });
    const audit = await server.api('GET', '/api/audit?action=token.exchange.denied&outcome=denied');
    expect(audit.body.items[0]).toMatchObject({
      actor: { type: 'client', id: billing.id },
      reason: 'no grant on the target resource',
      details: { aud: CRM },
    });
    // An admin's PAT, for the management API itself, through a client that is not an admin there.
    expect((await exchange(pat.token, { resource: server.managementApi, scope: 'admin' })).body).toMatchObject({
      error: 'invalid_target',
    });

    const reader = await server.createClient({
      name: 'read-only gateway',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      allowTokenExchange: true,
    });
    expect((await exchange(pat.token, {}, reader)).body.scope).toBe('contacts:read');
    expect((await exchange(pat.token, { scope: 'contacts:write' }, reader)).body).toEqual({
      error: 'invalid_scope',
      error_description: 'Scope not granted to this client on the resource: contacts:write',
    });
    const unrelated = await server.createClient({
      name: 'unrelated gateway',
      grants: [{ resource: CRM, scopes: [] }],
      allowTokenExchange: true,
    });
    expect((await exchange(pat.token, {}, unrelated)).body).toEqual({
      error: 'invalid_scope',
      error_description: `This client is granted none of the token's scopes on ${CRM}`,
    });
  });

  it('never exchanges an access token: neither an exchanged JWT again nor an M2M token', async () => {
    const pat = await session.createToken({ name: 'exchange twice', scopes: ['contacts:read', 'admin'] });
    const jwt = (await exchange(pat.token)).body.access_token;
    expect(await exchange(jwt)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'subject_token is not a personal access token' },
    });
    expect((await exchange(jwt, { subject_token_type: ACCESS_TOKEN_TYPE })).body).toEqual({
      error: 'invalid_request',
      error_description: `subject_token_type must be ${PAT_TYPE}`,
    });
    const management = (await exchange(pat.token, { resource: server.managementApi }, adminExchanger)).body
      .access_token;
    expect((await exchange(management, { resource: server.managementApi }, adminExchanger)).body).toMatchObject({
      error: 'invalid_request',
    });
    expect(
      (await exchange(await server.admin(), { resource: server.managementApi }, adminExchanger)).body,
    ).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses scopes beyond the PAT, or beyond what the owner holds now (invalid_scope)', async () => {
    const pat = await session.createToken({ name: 'read only', scopes: ['contacts:read'] });
    const beyond = await exchange(pat.token, { scope: 'contacts:read contacts:write' });
    expect(beyond.status).toBe(400);
    expect(beyond.body).toEqual({
      error: 'invalid_scope',
      error_description: 'Scope not granted by this token on the resource: contacts:write',
    });

    const user = await server.createUser({ email: 'narrowed@example.com', roles: ['crm-editor'] });
    const wide = await (
      await server.login('narrowed@example.com')
    ).createToken({ name: 'wide', scopes: ['contacts:read', 'contacts:write'] });
    await server.api('PUT', `/api/users/${user.id}/roles`, { roles: [] });
    expect((await exchange(wide.token)).body).toMatchObject({ error: 'invalid_scope' });
  });

  it('validates the request', async () => {
    const pat = await session.createToken({ name: 'validation', scopes: ['contacts:read'], resource: CRM });
    expect((await exchange(pat.token, { subject_token_type: ACCESS_TOKEN_TYPE })).body).toMatchObject({
      error: 'invalid_request',
      error_description: `subject_token_type must be ${PAT_TYPE}`,
    });
    expect(
      (
        await server.tokenRequest(
          { grant_type: TOKEN_EXCHANGE, subject_token: pat.token, subject_token_type: PAT_TYPE },
          exchanger,
        )
      ).body,
    ).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('resource is required') });
    expect(
      (
        await server.form(
          '/oauth/token',
          `grant_type=${encodeURIComponent(TOKEN_EXCHANGE)}&subject_token=${pat.token}&subject_token_type=${encodeURIComponent(PAT_TYPE)}&resource=${encodeURIComponent(CRM)}&resource=${encodeURIComponent(server.managementApi)}`,
          exchanger,
        )
      ).body,
    ).toMatchObject({ error: 'invalid_target' });
    expect((await exchange(pat.token, { resource: 'https://unknown.tollgate.test' })).body).toMatchObject({
      error: 'invalid_target',
    });
    expect((await exchange(pat.token, { resource: server.managementApi }, adminExchanger)).body).toMatchObject({
      error: 'invalid_request',
    });
    expect((await exchange(pat.token, { actor_token: pat.token, actor_token_type: PAT_TYPE })).body).toMatchObject({
      error: 'invalid_request',
    });
    expect(
      (await exchange(pat.token, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' })).body,
    ).toMatchObject({ error: 'invalid_request' });
    expect((await exchange(pat.token, { requested_token_type: ACCESS_TOKEN_TYPE })).status).toBe(200);
  });

  it('never issues a JWT that outlives its PAT', async () => {
    const pat = await session.createToken({ name: 'ending', scopes: ['contacts:read'], expiresInDays: 1 });
    clock.advance(DAY_MS - 100_000);
    server.resetAdminToken();
    const response = await exchange(pat.token);
    expect(response.body.expires_in).toBe(100);
    expect(decodeJwt(response.body.access_token).exp).toBe(Math.floor(Date.parse(pat.expiresAt) / 1000));
  });
});
