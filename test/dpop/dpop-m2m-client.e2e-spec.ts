import { DpopKey } from '@tollgate/dpop';
import { ClientCredentialsTokenProvider, createAuthorizedFetch } from '@tollgate/m2m-client';
import { decodeJwt } from 'jose';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM, CRM_SCOPES, ServiceBHarness } from '../support/service-b.harness.js';

/**
 * libs/m2m-client does DPoP by itself: one key per provider, a proof on every token request and
 * every API call, the server nonce picked up and retried, and the token it gets useless to anyone
 * who copies it without the key.
 */
describe.each<{ name: string; env: Record<string, string> }>([
  { name: 'without server nonces', env: {} },
  { name: 'with server nonces required', env: { DPOP_NONCE_REQUIRED: 'true' } },
])('m2m-client with DPoP against the auth-server and service-b, $name', ({ env }) => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let reader: { id: string; secret: string };

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ env });
    await auth.createResource(CRM, CRM_SCOPES);
    crm = await ServiceBHarness.start(auth);
    reader = await auth.createClient({
      name: 'reader',
      requiredBinding: 'dpop',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
  });
  afterAll(async () => {
    await crm?.stop();
    await auth?.stop();
  });

  it('gets a token bound to its own key and calls the API with proofs; the copied token is refused', async () => {
    const key = await DpopKey.generate();
    const provider = new ClientCredentialsTokenProvider({
      issuer: auth.issuer,
      clientId: reader.id,
      clientSecret: reader.secret,
      resource: CRM,
      dpop: key,
    });
    const token = await provider.getToken();
    expect(token.type).toBe('DPoP');
    expect(decodeJwt(token.value).cnf).toEqual({ jkt: await key.thumbprint() });

    const api = createAuthorizedFetch(provider);
    for (let call = 0; call < 3; call++) expect((await api(`${crm.url}/contacts`)).status).toBe(200);

    const stolen = await fetch(`${crm.url}/contacts`, { headers: { authorization: `Bearer ${token.value}` } });
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
  });

  it('generates its key itself with dpop: true; without it, a client that requires DPoP gets no token', async () => {
    const generated = new ClientCredentialsTokenProvider({
      issuer: auth.issuer,
      clientId: reader.id,
      clientSecret: reader.secret,
      resource: CRM,
      dpop: true,
    });
    expect((await generated.getToken()).type).toBe('DPoP');
    const bearerOnly = new ClientCredentialsTokenProvider({
      issuer: auth.issuer,
      clientId: reader.id,
      clientSecret: reader.secret,
      resource: CRM,
    });
    await expect(bearerOnly.getToken()).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
  });
});
