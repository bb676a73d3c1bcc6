import {
  allowInsecureRequests,
  ClientSecretBasic,
  clientCredentialsGrantRequest,
  discoveryRequest,
  processClientCredentialsResponse,
  processDiscoveryResponse,
  processResourceDiscoveryResponse,
  resourceDiscoveryRequest,
} from 'oauth4webapi';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { freePort } from '../support/free-port.js';
import { CRM_SCOPES, ServiceBHarness } from '../support/service-b.harness.js';

/** The parameters of a Bearer challenge (quoted-string values, as service-b writes them). */
function challengeParameters(header: string | null): Record<string, string> {
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header!.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
}

/**
 * RFC 9728: a client that knows nothing but the API's URL finds the authorization server, gets a
 * token for the API and calls it, as MCP clients do. Its resource indicator is its own URL here,
 * which strict clients (oauth4webapi, MCP) require of the metadata's `resource`.
 */
describe('service-b: protected resource metadata (RFC 9728)', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let api: string;
  let reader: { id: string; secret: string };

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    crm = await ServiceBHarness.start(auth, { resource: api, port });
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: api, scopes: ['contacts:read'] }] });
  });

  afterAll(async () => {
    await crm?.stop();
    await auth?.stop();
  });

  it('leads a client from the API URL alone to a token and an answer', async () => {
    const refused = await fetch(`${api}/contacts`);
    expect(refused.status).toBe(401);
    const { resource_metadata: metadataUrl } = challengeParameters(refused.headers.get('www-authenticate'));
    expect(metadataUrl).toBe(`${api}/.well-known/oauth-protected-resource`);

    const discovery = await resourceDiscoveryRequest(new URL(api), { [allowInsecureRequests]: true });
    expect(discovery.url).toBe(metadataUrl); // where RFC 9728 §3.1 puts it is where the challenge points
    const resource = await processResourceDiscoveryResponse(new URL(api), discovery);
    expect(resource.authorization_servers).toEqual([auth.issuer]);

    const issuer = new URL(resource.authorization_servers![0]);
    const as = await processDiscoveryResponse(
      issuer,
      await discoveryRequest(issuer, { algorithm: 'oauth2', [allowInsecureRequests]: true }),
    );
    const client = { client_id: reader.id };
    const tokens = await processClientCredentialsResponse(
      as,
      client,
      await clientCredentialsGrantRequest(
        as,
        client,
        ClientSecretBasic(reader.secret),
        { resource: resource.resource, scope: 'contacts:read' },
        { [allowInsecureRequests]: true },
      ),
    );

    const answered = await fetch(`${api}/contacts`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(answered.status).toBe(200);
  });

  it('serves what the resource is, which scopes it knows and how it takes tokens, to anyone', async () => {
    const response = await fetch(`${api}/.well-known/oauth-protected-resource`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      resource: api,
      authorization_servers: [auth.issuer],
      scopes_supported: CRM_SCOPES,
      bearer_methods_supported: ['header'],
      resource_name: 'Tollgate CRM (service-b)',
    });
  });

  it('names the metadata in refusals of a bad or insufficient credential too', async () => {
    const invalid = await crm.bearer('not-a-token');
    expect(invalid.status).toBe(401);
    expect(challengeParameters(invalid.headers.get('www-authenticate'))).toMatchObject({
      error: 'invalid_token',
      resource_metadata: `${api}/.well-known/oauth-protected-resource`,
    });
    const token = await auth.token(reader.id, reader.secret, { resource: api, scope: 'contacts:read' });
    const insufficient = await crm.bearer(token, 'POST', '/contacts', { name: 'Ada', email: 'ada@example.com' });
    expect(insufficient.status).toBe(403);
    expect(challengeParameters(insufficient.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'contacts:write',
      resource_metadata: `${api}/.well-known/oauth-protected-resource`,
    });
  });
});
