import { ManagementApiTokens } from './management-api-tokens.js';
import { RemoteAuthorizationServer } from './remote-authorization-server.js';
import { VerificationError } from './verification-error.js';

const ISSUER = 'https://as.example';
const METADATA = { issuer: ISSUER, token_endpoint: `${ISSUER}/oauth/token`, jwks_uri: `${ISSUER}/jwks` };

/** An authorization server answering metadata and token requests, recording the token requests' forms. */
function authorizationServer(metadata: Record<string, unknown>) {
  const tokenRequests: URLSearchParams[] = [];
  const fetchStub: typeof fetch = async (input, init) => {
    const url = String(input);
    if (url === `${ISSUER}/.well-known/oauth-authorization-server`) return Response.json(metadata);
    if (url === METADATA.token_endpoint) {
      tokenRequests.push(new URLSearchParams(String(init?.body)));
      return Response.json({ access_token: `token-${tokenRequests.length}`, token_type: 'Bearer', expires_in: 300 });
    }
    return new Response('not found', { status: 404 });
  };
  return { fetch: fetchStub, tokenRequests };
}

describe(ManagementApiTokens.name, () => {
  it('asks for tokens for the management API the metadata names, with the one scope given, and reuses them', async () => {
    const server = authorizationServer({ ...METADATA, management_api_resource: 'https://admin.as.example/v1' });
    const sut = new ManagementApiTokens(new RemoteAuthorizationServer(ISSUER, { fetch: server.fetch }), {
      clientId: 'rs',
      clientSecret: 'secret',
      scope: 'usage:write',
      fetch: server.fetch,
    });

    const [first, second] = await Promise.all([sut.getToken(), sut.getToken()]);

    expect([first.value, second.value]).toEqual(['token-1', 'token-1']);
    expect(server.tokenRequests.map((form) => Object.fromEntries(form))).toEqual([
      { grant_type: 'client_credentials', resource: 'https://admin.as.example/v1', scope: 'usage:write' },
    ]);
  });

  it.each([
    ['no management_api_resource', {}],
    ['a relative management_api_resource', { management_api_resource: '/api' }],
  ])('refuses metadata with %s, naming the issuer, and asks for no token', async (_, extra) => {
    const server = authorizationServer({ ...METADATA, ...extra });
    const sut = new ManagementApiTokens(new RemoteAuthorizationServer(ISSUER, { fetch: server.fetch }), {
      clientId: 'rs',
      clientSecret: 'secret',
      scope: 'usage:write',
      fetch: server.fetch,
    });

    const error = await sut.getToken().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VerificationError);
    expect(error).toMatchObject({
      code: 'temporarily_unavailable',
      reason: 'metadata_incomplete',
      message: `The authorization server at ${ISSUER} advertises no valid management_api_resource in its metadata (${ISSUER}/.well-known/oauth-authorization-server)`,
    });
    expect(server.tokenRequests).toEqual([]);
  });
});
