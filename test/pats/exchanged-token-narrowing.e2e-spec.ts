import { decodeJwt } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import { testDatabases } from '../support/test-databases.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const PAT_TYPE = 'urn:tollgate:params:oauth:token-type:pat';

/**
 * Issue 11 point 9: a JWT obtained by exchanging a PAT (RFC 8693) narrows when its owner loses a
 * role, as the PAT does. The management API checks the PAT behind it at every use; resource servers
 * refuse JWTs exchanged before the change as soon as the revocation feed tells them, and the client
 * exchanges again for the scopes that hold now.
 */
describe.each(testDatabases())('JWTs exchanged for a PAT narrow with it on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let exchanger: { id: string; secret: string };
  let introspector: { id: string; secret: string };
  let serial = 0;

  const contact = () => ({ name: 'Ada Lovelace', email: `ada-${Math.random().toString(36).slice(2)}@example.com` });

  function exchange(pat: string, resource = CRM) {
    return auth.tokenRequest(
      { grant_type: TOKEN_EXCHANGE, subject_token: pat, subject_token_type: PAT_TYPE, resource },
      exchanger,
    );
  }

  /** A person holding `roles`, signed in, with a PAT carrying every scope they hold. */
  async function person(roles: string[], scopes: string[]): Promise<{ user: any; session: ConsoleSession; pat: any }> {
    const email = `person-${++serial}@example.com`;
    const user = await auth.createUser({ email, roles });
    const session = await auth.login(email);
    return { user, session, pat: await session.createToken({ name: 'script', scopes }) };
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ database: await create() });
    crm = await ServiceBHarness.start(auth);
    await auth.createRole('crm-editor', [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }]);
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    exchanger = await auth.createClient({
      name: 'cli gateway',
      grants: [
        { resource: CRM, scopes: ['contacts:read', 'contacts:write'] },
        { resource: auth.managementApi, scopes: ['admin'] },
      ],
      allowTokenExchange: true,
    });
    introspector = await auth.createClient({
      name: 'introspector',
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect'] }],
    });
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
    );
  });
  afterAll(async () => {
    await crm?.stop();
    await auth?.stop();
  });

  it('refuses a JWT exchanged before its owner lost a role, at service-b and at the management API; a new exchange gives the narrower scopes', async () => {
    const { user, pat } = await person(['crm-editor', 'admin'], ['contacts:read', 'contacts:write', 'admin']);
    const crmJwt = (await exchange(pat.token)).body.access_token;
    const adminJwt = (await exchange(pat.token, auth.managementApi)).body.access_token;
    expect((await crm.bearer(crmJwt, 'POST', '/contacts', contact())).status).toBe(201);
    expect((await auth.api('GET', '/api/users', undefined, adminJwt)).status).toBe(200);

    await auth.api('PUT', `/api/users/${user.id}/roles`, { roles: ['crm-reader'] });

    // The management API checks the PAT behind the JWT at every use: refused at once.
    const management = await auth.api('GET', '/api/users', undefined, adminJwt);
    expect(management.status).toBe(401);
    expect(management.body).toMatchObject({ error: 'invalid_token' });
    expect((await auth.introspect(crmJwt, introspector)).body).toEqual({ active: false });
    // service-b hears of it on the revocation feed (subject.changed) and refuses the JWT, even for reading.
    await eventually(async () => expect((await crm.bearer(crmJwt)).status).toBe(401));
    expect((await crm.bearer(crmJwt)).body).toMatchObject({ error: 'invalid_token' });

    const again = await exchange(pat.token);
    expect(again.body.scope).toBe('contacts:read');
    expect((await crm.bearer(again.body.access_token)).status).toBe(200);
    expect((await crm.bearer(again.body.access_token, 'POST', '/contacts', contact())).status).toBe(403);
    expect((await exchange(pat.token, auth.managementApi)).body).toMatchObject({ error: 'invalid_scope' });
  });

  it('dates a JWT exchanged in the very second of the change after the change, so service-b accepts it', async () => {
    const { user, pat } = await person(['crm-editor'], ['contacts:read', 'contacts:write']);
    const before = (await exchange(pat.token)).body.access_token;
    // Change the roles early in a second, and exchange again at once: within that second.
    while (Date.now() % 1000 > 100) await sleep(10);
    const changing = Date.now();
    await auth.api('PUT', `/api/users/${user.id}/roles`, { roles: ['crm-reader'] });
    const again = await exchange(pat.token);
    expect(again.body.scope).toBe('contacts:read');
    // iat has whole seconds: the first one after the change, not the one it happened in.
    expect(decodeJwt(again.body.access_token).iat! * 1000).toBeGreaterThan(changing);
    await eventually(async () => expect((await crm.bearer(before)).status).toBe(401));
    expect((await crm.bearer(again.body.access_token)).status).toBe(200);
  });

  it('refuses a JWT exchanged before a role it relies on lost a scope', async () => {
    const role = await auth.createRole(`crm-writer-${++serial}`, [
      { resource: CRM, scopes: ['contacts:read', 'contacts:write'] },
    ]);
    const { pat } = await person([role.name], ['contacts:read', 'contacts:write']);
    const jwt = (await exchange(pat.token)).body.access_token;
    expect((await crm.bearer(jwt, 'POST', '/contacts', contact())).status).toBe(201);

    await auth.api('PATCH', `/api/roles/${role.id}`, { grants: [{ resource: CRM, scopes: ['contacts:read'] }] });

    expect((await auth.introspect(jwt, introspector)).body).toEqual({ active: false });
    await eventually(async () => expect((await crm.bearer(jwt)).status).toBe(401));
    const again = await exchange(pat.token);
    expect(again.body.scope).toBe('contacts:read');
    expect((await crm.bearer(again.body.access_token)).status).toBe(200);
  });

  it('keeps a JWT at the management API while the PAT still grants all of its scopes there', async () => {
    const { user, pat } = await person(['crm-editor', 'admin'], ['contacts:read', 'admin']);
    const adminJwt = (await exchange(pat.token, auth.managementApi)).body.access_token;
    await auth.api('PUT', `/api/users/${user.id}/roles`, { roles: ['admin'] });
    expect((await auth.api('GET', '/api/users', undefined, adminJwt)).status).toBe(200);
    await auth.api('PUT', `/api/users/${user.id}/roles`, { roles: [] });
    expect((await auth.api('GET', '/api/users', undefined, adminJwt)).status).toBe(401);
  });

  it('leaves no JWT with the lost scope usable once the change is announced, with exchanges racing the change', async () => {
    const { user, pat } = await person(['crm-editor'], ['contacts:read', 'contacts:write']);
    const before = (await exchange(pat.token)).body.access_token;
    const [responses] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => exchange(pat.token))),
      auth.api('PUT', `/api/users/${user.id}/roles`, { roles: ['crm-reader'] }),
    ]);
    await eventually(async () => expect((await crm.bearer(before)).status).toBe(401));

    const writers = responses.filter((r) => r.status === 200 && r.body.scope.includes('contacts:write'));
    for (const response of writers)
      expect((await crm.bearer(response.body.access_token, 'POST', '/contacts', contact())).status).toBe(401);
    const fresh = await exchange(pat.token);
    expect(fresh.body.scope).toBe('contacts:read');
    expect((await crm.bearer(fresh.body.access_token)).status).toBe(200);
  });
});
