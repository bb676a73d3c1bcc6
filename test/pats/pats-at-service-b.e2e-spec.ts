import { ManualClock } from '@tollgate/platform';
import { ResourceServerVerification } from '@tollgate/verifier';
import { UsageService } from '../../apps/auth-server/src/usage/usage.service.js';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const PAT_TYPE = 'urn:tollgate:params:oauth:token-type:pat';

/** The seed's PAT story: a developer's script manages CRM contacts as themselves, with a token made in account settings. */
describe('personal access tokens at service-b', () => {
  const clock = new ManualClock();
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let developer: any;
  let session: ConsoleSession;

  const contact = () => ({ name: 'Ada Lovelace', email: `ada-${Math.random().toString(36).slice(2)}@example.com` });

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ clock });
    crm = await ServiceBHarness.start(auth, { overrides: { now: () => clock.now().getTime() } });
    await auth.createRole('crm-editor', [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }]);
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    developer = await auth.createUser({ email: 'dev@example.com', roles: ['crm-editor'] });
    session = await auth.login('dev@example.com');
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
    );
  });
  afterAll(async () => {
    await crm.stop();
    await auth.stop();
  });

  it('reads with a contacts:read PAT and cannot write with it', async () => {
    const pat = await session.createToken({ name: 'read script', scopes: ['contacts:read'] });
    expect((await crm.bearer(pat.token)).status).toBe(200);
    const write = await crm.bearer(pat.token, 'POST', '/contacts', contact());
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ error: 'insufficient_scope', scope: 'contacts:write' });
  });

  it('writes with a contacts:write PAT, and is narrowed at once when its owner loses the role', async () => {
    const user = await auth.createUser({ email: 'demoted@example.com', roles: ['crm-editor'] });
    const pat = await (
      await auth.login('demoted@example.com')
    ).createToken({ name: 'write script', scopes: ['contacts:read', 'contacts:write'] });
    expect((await crm.bearer(pat.token, 'POST', '/contacts', contact())).status).toBe(201);

    await auth.api('PUT', `/api/users/${user.id}/roles`, { roles: ['crm-reader'] });
    await eventually(async () =>
      expect((await crm.bearer(pat.token, 'POST', '/contacts', contact())).status).toBe(403),
    );
    expect((await crm.bearer(pat.token)).status).toBe(200);
  });

  it('stops working at once when revoked in account settings (revocation feed)', async () => {
    const pat = await session.createToken({ name: 'revoked script', scopes: ['contacts:read'] });
    expect((await crm.bearer(pat.token)).status).toBe(200);
    expect((await session.request('DELETE', `/api/me/tokens/${pat.id}`)).status).toBe(204);
    await eventually(async () => expect((await crm.bearer(pat.token)).status).toBe(401));
    expect((await crm.bearer(pat.token)).body).toMatchObject({ error: 'invalid_token' });
  });

  it('stops working at once when its owner is disabled', async () => {
    const user = await auth.createUser({ email: 'leaver@example.com', roles: ['crm-editor'] });
    const pat = await (
      await auth.login('leaver@example.com')
    ).createToken({ name: 'leaver script', scopes: ['contacts:read'] });
    expect((await crm.bearer(pat.token)).status).toBe(200);
    await auth.api('PATCH', `/api/users/${user.id}`, { disabled: true });
    await eventually(async () => expect((await crm.bearer(pat.token)).status).toBe(401));
  });

  it('exchanges for a JWT accepted at service-b, refused once the PAT is revoked', async () => {
    const exchanger = await auth.createClient({
      name: 'cli gateway',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      allowTokenExchange: true,
    });
    const pat = await session.createToken({ name: 'exchanged', scopes: ['contacts:read'] });
    const exchanged = await auth.tokenRequest(
      { grant_type: TOKEN_EXCHANGE, subject_token: pat.token, subject_token_type: PAT_TYPE, resource: CRM },
      exchanger,
    );
    expect(exchanged.status).toBe(200);
    const jwt = exchanged.body.access_token;
    expect((await crm.bearer(jwt)).status).toBe(200);

    await session.request('DELETE', `/api/me/tokens/${pat.id}`);
    await eventually(async () => expect((await crm.bearer(jwt)).status).toBe(401));
  });

  it('records last use reported by service-b', async () => {
    const pat = await session.createToken({ name: 'used script', scopes: ['contacts:read'] });
    await crm.bearer(pat.token);
    await crm.app.get(ResourceServerVerification).usage!.flush();
    await auth.app.get(UsageService).flush();
    const listed = await session.request('GET', `/api/me/tokens/${pat.id}`);
    expect(listed.body).toMatchObject({ lastUsedAt: expect.any(String), lastUsedAddress: '127.0.0.1' });
    expect(developer.id).toBe(listed.body.userId);
  });

  it('is refused by service-b when mistyped, without a lookup', async () => {
    const pat = await session.createToken({ name: 'typo script', scopes: ['contacts:read'] });
    const typo = pat.token.replace(/.$/, (c: string) => (c === 'a' ? 'b' : 'a'));
    const response = await crm.bearer(typo);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ detail: expect.stringContaining('checksum') });
  });
});
