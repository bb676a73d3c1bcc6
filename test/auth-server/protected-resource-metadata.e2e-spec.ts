import { MANAGEMENT_API_SCOPES } from '@tollgate/credentials';
import { allowInsecureRequests, processResourceDiscoveryResponse, resourceDiscoveryRequest } from 'oauth4webapi';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { managementApiMetadata } from '../support/problem-answers.js';

/** RFC 9728 for the management API, whose resource identifier (`<issuer>/api`) is its own URL. */
describe('auth-server: the management API describes itself (RFC 9728)', () => {
  let server: AuthServerHarness;

  beforeAll(async () => {
    server = await AuthServerHarness.start();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('points a client that calls it without a token to metadata a strict client accepts', async () => {
    const refused = await fetch(`${server.issuer}/api/clients`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer realm="tollgate", resource_metadata="${managementApiMetadata(server.issuer)}"`,
    );

    const api = new URL(`${server.issuer}/api`);
    const discovery = await resourceDiscoveryRequest(api, { [allowInsecureRequests]: true });
    expect(discovery.url).toBe(managementApiMetadata(server.issuer));
    expect(await processResourceDiscoveryResponse(api, discovery)).toEqual({
      resource: `${server.issuer}/api`,
      authorization_servers: [server.issuer],
      scopes_supported: MANAGEMENT_API_SCOPES,
      bearer_methods_supported: ['header'],
      resource_name: 'Tollgate management API',
    });
  });

  it('leaves public endpoints without a challenge', async () => {
    const metadata = await fetch(`${server.issuer}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('www-authenticate')).toBeNull();
  });
});
