import { FakeAuthorizationServer } from '../../../test/support/fake-authorization-server.js';
import {
  authorizationServerMetadataUrl,
  DiscoveryError,
  discoverAuthorizationServer,
} from './authorization-server-metadata.js';

const respond =
  (status: number, body: string): typeof fetch =>
  async () =>
    new Response(body, { status, headers: { 'content-type': 'application/json' } });

describe(discoverAuthorizationServer.name, () => {
  it('reads the metadata of a live server', async () => {
    const authServer = await FakeAuthorizationServer.start({ clients: [] });
    try {
      const sut = await discoverAuthorizationServer(authServer.issuer);

      expect(sut).toMatchObject({ issuer: authServer.issuer, token_endpoint: authServer.tokenEndpoint });
    } finally {
      await authServer.stop();
    }
  });

  it('inserts the well-known segment before an issuer path (RFC 8414 §3.1)', () => {
    expect(authorizationServerMetadataUrl('https://as.example/tenant/a').href).toBe(
      'https://as.example/.well-known/oauth-authorization-server/tenant/a',
    );
    expect(authorizationServerMetadataUrl('https://as.example').href).toBe(
      'https://as.example/.well-known/oauth-authorization-server',
    );
  });

  it.each([
    ['a 5xx', respond(503, ''), { status: 503, transient: true, unreachable: false }, 'answered 503'],
    ['a 404', respond(404, ''), { status: 404, transient: false }, 'answered 404'],
    ['a body that is not JSON', respond(200, '<html>'), { transient: false }, 'that is not a JSON object'],
    [
      'another issuer',
      respond(
        200,
        JSON.stringify({ issuer: 'https://evil.example', token_endpoint: 'https://x/t', jwks_uri: 'https://x/j' }),
      ),
      { transient: false },
      'names issuer https://evil.example',
    ],
    [
      'a relative token_endpoint',
      respond(200, JSON.stringify({ issuer: 'https://as.example', token_endpoint: '/token', jwks_uri: 'https://x/j' })),
      { transient: false },
      'lacks a valid token_endpoint',
    ],
    [
      'a network failure',
      (async () =>
        Promise.reject(
          new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND as.example') }),
        )) as typeof fetch,
      { unreachable: true, transient: true },
      'The authorization server at https://as.example is unreachable (getaddrinfo ENOTFOUND as.example)',
    ],
  ])('refuses %s with a DiscoveryError that says whether to retry', async (_, fetchStub, fields, message) => {
    const error = await discoverAuthorizationServer('https://as.example', { fetch: fetchStub }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject(fields);
    expect((error as Error).message).toContain(message);
  });
});
