import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ADMIN_CLIENT_ID, AuthServerHarness } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';

describe.each(testDatabases())('client credentials on $name', ({ create }) => {
  let server: AuthServerHarness;

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read', 'contacts:write'], { accessTokenTtl: 600 });
  });
  afterAll(() => server.stop());

  it('issues an RFC 9068 access token for the granted resource and scopes', async () => {
    const client = await server.createClient({
      name: 'service-a',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    expect(client.secret).toMatch(/^tgs_[0-9A-Za-z]{49}$/);

    const response = await server.tokenRequest(
      { grant_type: 'client_credentials' },
      { id: client.id, secret: client.secret },
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'contacts:read',
    });
    expect(response.body).not.toHaveProperty('refresh_token');
    const header = decodeProtectedHeader(response.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(response.body.access_token);
    expect(claims).toEqual({
      iss: server.issuer,
      sub: client.id,
      aud: CRM,
      client_id: client.id,
      client_kind: 'service',
      scope: 'contacts:read',
      iat: expect.any(Number),
      exp: (claims.iat as number) + 600,
      jti: expect.any(String),
    });
  });

  it("carries the client's kind, by which the IoT broker budgets a device's publishes", async () => {
    const device = await server.createClient({
      name: 'thermostat',
      kind: 'device',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const response = await server.tokenRequest(
      { grant_type: 'client_credentials' },
      { id: device.id, secret: device.secret },
    );
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token)).toMatchObject({ sub: device.id, client_kind: 'device' });
  });

  it('stores the secret hashed and returns it only once', async () => {
    const client = await server.createClient({ name: 'once', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const fetched = await server.api('GET', `/api/clients/${client.id}`);
    expect(fetched.status).toBe(200);
    expect(JSON.stringify(fetched.body)).not.toContain(client.secret);
    expect(fetched.body.secrets).toEqual([
      expect.objectContaining({ displayPrefix: client.secret.slice(0, 8), active: true }),
    ]);
    const rows = await server.app.get((await import('typeorm')).DataSource).query('SELECT * FROM client_secrets');
    expect(JSON.stringify(rows)).not.toContain(client.secret);
  });

  it('records issuance in the audit log', async () => {
    const client = await server.createClient({
      name: 'audited',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const token = await server.token(client.id, client.secret);
    const jti = decodeJwt(token).jti;
    const audit = await server.api('GET', `/api/audit?action=token.issued&actor=${client.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'token.issued',
        outcome: 'success',
        actor: { type: 'client', id: client.id },
        credential: { type: 'access_token', id: jti },
      }),
    ]);
  });

  it('lets the bootstrap admin manage the API and nobody else', async () => {
    const reader = await server.createClient({
      name: 'reader',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const crmToken = await server.token(reader.id, reader.secret);
    expect((await server.api('GET', '/api/clients', undefined, null)).status).toBe(401);
    const wrongAudience = await server.api('GET', '/api/clients', undefined, crmToken);
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body).toMatchObject({ error: 'invalid_token' });
    expect((await server.api('GET', '/api/clients')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: ADMIN_CLIENT_ID })]),
    );
  });
});
