import { DataSource } from 'typeorm';
import { AuthServerHarness, TEST_PASSWORD } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';

/** Every row of every table, as text (whatever the tables are: the catalog is asked, not the entities). */
async function dumpDatabase(dataSource: DataSource): Promise<{ tables: string[]; text: string }> {
  const postgres = dataSource.options.type === 'postgres';
  const tables: { name: string }[] = await dataSource.query(
    postgres
      ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
      : "SELECT name FROM sqlite_master WHERE type = 'table'",
  );
  const names = tables.map((t) => t.name).sort();
  let text = '';
  for (const name of names) text += JSON.stringify(await dataSource.query(`SELECT * FROM "${name}"`));
  return { tables: names, text };
}

describe.each(testDatabases())('what is stored on $name', ({ create }) => {
  let server: AuthServerHarness;
  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
  });
  afterAll(() => server.stop());

  it('never holds a PAT, a password, a session cookie or a CSRF token in clear', async () => {
    await server.createResource(CRM, ['contacts:read']);
    await server.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    const password = 'a distinctive passphrase 4711';
    await server.createUser({ email: 'stored@example.com', password, roles: ['crm-reader'] });
    const session = await server.login('stored@example.com', password);
    const cookieValue = session.cookie.split('=')[1];
    const pat = await session.createToken({ name: 'stored', scopes: ['contacts:read'] });
    const bot = await server.createUser({
      email: 'stored-bot@example.com',
      kind: 'service_account',
      roles: ['crm-reader'],
    });
    const botPat = (
      await server.api('POST', `/api/users/${bot.id}/tokens`, {
        name: 'bot',
        scopes: ['contacts:read'],
        expiresInDays: 1,
      })
    ).body;
    const exchanger = await server.createClient({
      name: 'exchanger',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      allowTokenExchange: true,
    });
    const exchanged = await server.tokenRequest(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: pat.token,
        subject_token_type: 'urn:tollgate:params:oauth:token-type:pat',
        resource: CRM,
      },
      exchanger,
    );
    expect(exchanged.status).toBe(200);
    await server.signIn('stored@example.com', 'a wrong passphrase 0000');
    await server.signIn('stored@example.com', TEST_PASSWORD);
    await server.api('PATCH', `/api/users/${bot.id}`, { displayName: 'renamed' });

    const { tables, text } = await dumpDatabase(server.app.get(DataSource));

    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'roles',
        'role_grants',
        'user_roles',
        'sessions',
        'pats',
        'settings',
        'audit_events',
      ]),
    );
    expect(text).toContain(pat.id);
    expect(text).toContain('stored@example.com');
    for (const secret of [
      pat.token,
      pat.token.slice(8),
      botPat.token,
      password,
      'a wrong passphrase 0000',
      cookieValue,
      session.csrfToken,
      exchanger.secret,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
