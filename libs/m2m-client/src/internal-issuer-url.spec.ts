import { DpopKey } from '@tollgate/dpop';
import { decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { discoverAuthorizationServer } from './authorization-server-metadata.js';
import { ClientCredentialsTokenProvider } from './client-credentials-token-provider.js';
import { internalIssuerFetch, internalIssuerUrl } from './internal-issuer-url.js';

const ISSUER = 'http://localhost:7400';
const INTERNAL = 'http://auth-server:7400';
const MTLS_TOKEN_ENDPOINT = 'https://localhost:7403/oauth/token';

const metadata = (issuer = ISSUER) => ({
  issuer,
  token_endpoint: `${issuer}/oauth/token`,
  jwks_uri: `${issuer}/.well-known/jwks.json`,
  introspection_endpoint: `${issuer}/oauth/introspect`,
  mtls_endpoint_aliases: { token_endpoint: MTLS_TOKEN_ENDPOINT },
});

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A fetch that answers as the auth-server does at its internal origin, and records every request. */
function internalAuthServer(served = metadata()) {
  const sent: Sent[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
    const json = (body: unknown) =>
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    if (request.url === `${INTERNAL}/.well-known/oauth-authorization-server`) return json(served);
    if (request.url === `${INTERNAL}/oauth/token`) {
      const dpop = request.headers.has('dpop');
      return json({ access_token: 'at', token_type: dpop ? 'DPoP' : 'Bearer', expires_in: 300 });
    }
    return new Response('not here', { status: 404 });
  };
  return { sent, fetch: fetchImpl };
}

describe(internalIssuerUrl.name, () => {
  it.each([
    [`${ISSUER}/.well-known/oauth-authorization-server`, `${INTERNAL}/.well-known/oauth-authorization-server`],
    [`${ISSUER}/oauth/token`, `${INTERNAL}/oauth/token`],
    [`${ISSUER}/api/revocations/feed?after=12`, `${INTERNAL}/api/revocations/feed?after=12`],
    [ISSUER, `${INTERNAL}/`],
  ])('moves %s (on the issuer’s origin) to %s', (url, expected) => {
    expect(internalIssuerUrl(url, ISSUER, INTERNAL)).toBe(expected);
  });

  it.each([
    ['an mTLS alias (another port, another scheme)', MTLS_TOKEN_ENDPOINT],
    ['another port of the same host', 'http://localhost:7401/contacts'],
    ['another host', 'https://jwks.example/keys'],
    ['the issuer’s host over https', 'https://localhost:7400/oauth/token'],
  ])('leaves %s alone', (_what, url) => {
    expect(internalIssuerUrl(url, ISSUER, INTERNAL)).toBe(url);
  });

  it('changes the scheme too (a TLS-terminating proxy in front, plain HTTP inside)', () => {
    expect(internalIssuerUrl('https://auth.example.com/oauth/token', 'https://auth.example.com', INTERNAL)).toBe(
      `${INTERNAL}/oauth/token`,
    );
  });
});

describe(internalIssuerFetch.name, () => {
  it('sends requests for the issuer’s origin (strings, URLs and Requests) to the internal origin, others as they are', async () => {
    const seen: string[] = [];
    const sut = internalIssuerFetch(ISSUER, INTERNAL, async (input) => {
      seen.push(input instanceof Request ? `${input.method} ${input.url}` : String(input));
      return new Response('');
    });

    await sut(`${ISSUER}/oauth/token`);
    await sut(new URL(`${ISSUER}/.well-known/jwks.json`));
    await sut(new Request(`${ISSUER}/oauth/introspect`, { method: 'POST', body: 'token=x' }));
    await sut('http://localhost:7401/contacts');

    expect(seen).toEqual([
      `${INTERNAL}/oauth/token`,
      `${INTERNAL}/.well-known/jwks.json`,
      `POST ${INTERNAL}/oauth/introspect`,
      'http://localhost:7401/contacts',
    ]);
  });
});

describe('discovery through the internal origin', () => {
  it('fetches the metadata there and returns it as published (public URLs)', async () => {
    const server = internalAuthServer();

    const sut = await discoverAuthorizationServer(ISSUER, {
      fetch: internalIssuerFetch(ISSUER, INTERNAL, server.fetch),
    });

    expect(server.sent.map((request) => request.url)).toEqual([`${INTERNAL}/.well-known/oauth-authorization-server`]);
    expect(sut).toMatchObject({ issuer: ISSUER, token_endpoint: `${ISSUER}/oauth/token` });
  });

  it('still refuses metadata naming another issuer than AUTH_ISSUER (the internal URL included)', async () => {
    for (const issuer of [INTERNAL, 'http://evil.example:7400']) {
      const server = internalAuthServer(metadata(issuer));
      await expect(
        discoverAuthorizationServer(ISSUER, { fetch: internalIssuerFetch(ISSUER, INTERNAL, server.fetch) }),
      ).rejects.toThrow(`names issuer ${issuer}, expected ${ISSUER}`);
    }
  });
});

describe(`${ClientCredentialsTokenProvider.name} with internalUrl`, () => {
  it('asks the internal token endpoint, with a DPoP proof for the public one (its htu)', async () => {
    const server = internalAuthServer();
    const key = await DpopKey.generate();
    const sut = new ClientCredentialsTokenProvider({
      issuer: ISSUER,
      internalUrl: INTERNAL,
      clientId: 'service-a',
      clientSecret: 'an-operator-chosen-secret-0123456789',
      dpop: key,
      fetch: server.fetch,
    });

    await expect(sut.getToken()).resolves.toMatchObject({ value: 'at', type: 'DPoP' });

    const token = server.sent.find((request) => request.method === 'POST')!;
    expect(token.url).toBe(`${INTERNAL}/oauth/token`);
    expect(decodeJwt(token.headers.get('dpop')!)).toMatchObject({ htm: 'POST', htu: `${ISSUER}/oauth/token` });
  });

  it('signs its client assertion for the public token endpoint (its aud)', async () => {
    const server = internalAuthServer();
    const { privateKey } = await generateKeyPair('ES256');
    const sut = new ClientCredentialsTokenProvider({
      issuer: ISSUER,
      internalUrl: INTERNAL,
      clientId: 'thermostat-3',
      authMethod: 'private_key_jwt',
      clientAssertionKey: { key: privateKey, alg: 'ES256' },
      fetch: server.fetch,
    });

    await sut.getToken();

    const token = server.sent.find((request) => request.method === 'POST')!;
    expect(token.url).toBe(`${INTERNAL}/oauth/token`);
    const assertion = new URLSearchParams(token.body).get('client_assertion')!;
    expect(decodeProtectedHeader(assertion).alg).toBe('ES256');
    expect(decodeJwt(assertion)).toMatchObject({ iss: 'thermostat-3', aud: `${ISSUER}/oauth/token` });
  });

  it('fails discovery when the internal origin serves another issuer', async () => {
    const server = internalAuthServer(metadata(INTERNAL));
    const sut = new ClientCredentialsTokenProvider({
      issuer: ISSUER,
      internalUrl: INTERNAL,
      clientId: 'service-a',
      clientSecret: 'an-operator-chosen-secret-0123456789',
      fetch: server.fetch,
    });

    await expect(sut.getToken()).rejects.toThrow(`names issuer ${INTERNAL}, expected ${ISSUER}`);
    expect(server.sent.filter((request) => request.method === 'POST')).toEqual([]);
  });
});
