import { inspect } from 'node:util';
import { FakeAuthorizationServer } from '../../../test/support/fake-authorization-server.js';
import { DiscoveryError } from './authorization-server-metadata.js';
import { type ClientCredentialsOptions, ClientCredentialsTokenProvider } from './client-credentials-token-provider.js';
import { AuthServerUnavailableError, InvalidTokenResponseError, TokenRequestError } from './token-errors.js';

const SECRET = 'tgs_0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
const RESOURCE = 'https://crm.tollgate.local';

describe(ClientCredentialsTokenProvider.name, () => {
  let authServer: FakeAuthorizationServer;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2030, 0, 1);
    authServer = await FakeAuthorizationServer.start({
      clients: [
        {
          clientId: 'service-a',
          clientSecret: SECRET,
          scopes: ['contacts:read', 'contacts:write'],
          resources: [RESOURCE],
        },
        { clientId: 'svc:a b%', clientSecret: 's%41 +:/=é&x' },
      ],
      now: () => clock,
    });
  });

  afterEach(async () => {
    await authServer.stop();
  });

  function provider(overrides: Partial<ClientCredentialsOptions> = {}) {
    return new ClientCredentialsTokenProvider({
      issuer: authServer.issuer,
      clientId: 'service-a',
      clientSecret: SECRET,
      resource: RESOURCE,
      scope: 'contacts:read',
      now: () => clock,
      ...overrides,
    });
  }

  describe('token request', () => {
    it('discovers the token endpoint and sends an RFC 6749 §4.4 request with client_secret_basic by default', async () => {
      const sut = provider();

      const token = await sut.getToken();

      expect(authServer.introspect(token.value)).toMatchObject({
        clientId: 'service-a',
        scope: 'contacts:read',
        resource: RESOURCE,
      });
      expect(token).toEqual({
        value: token.value,
        expiresAt: new Date(clock + 300_000),
        scope: 'contacts:read',
        type: 'Bearer',
      });
      expect(authServer.metadataRequests).toBe(1);
      const [request] = authServer.tokenRequests;
      expect(request.contentType).toBe('application/x-www-form-urlencoded');
      expect(request.params).toEqual({
        grant_type: ['client_credentials'],
        scope: ['contacts:read'],
        resource: [RESOURCE],
      });
      expect(request.authMethod).toBe('client_secret_basic');
    });

    it('form-encodes the client id and secret before base64 (RFC 6749 §2.3.1, Appendix B)', async () => {
      const sut = provider({
        clientId: 'svc:a b%',
        clientSecret: 's%41 +:/=é&x',
        resource: undefined,
        scope: undefined,
      });

      const token = await sut.getToken();

      expect(authServer.introspect(token.value)?.clientId).toBe('svc:a b%');
      const expected = Buffer.from('svc%3Aa+b%25:s%2541+%2B%3A%2F%3D%C3%A9%26x').toString('base64');
      expect(authServer.tokenRequests[0].authorization).toBe(`Basic ${expected}`);
      expect(authServer.tokenRequests[0].params).toEqual({ grant_type: ['client_credentials'] });
    });

    it('sends the credentials in the body with client_secret_post', async () => {
      const sut = provider({ authMethod: 'client_secret_post' });

      const token = await sut.getToken();

      expect(authServer.introspect(token.value)?.clientId).toBe('service-a');
      const [request] = authServer.tokenRequests;
      expect(request.authorization).toBeUndefined();
      expect(request.authMethod).toBe('client_secret_post');
      expect(request.params).toMatchObject({ client_id: ['service-a'], client_secret: [SECRET] });
    });

    it('accepts a lower-case token_type and a digit-string expires_in, and falls back to the requested scope', async () => {
      authServer.respondNext({ status: 200, body: { access_token: 'at-1', token_type: 'bearer', expires_in: '120' } });

      const token = await provider().getToken();

      expect(token).toEqual({
        value: 'at-1',
        expiresAt: new Date(clock + 120_000),
        scope: 'contacts:read',
        type: 'Bearer',
      });
    });
  });

  describe('caching', () => {
    it('reuses the token until its lifetime minus the default 30 s skew', async () => {
      const sut = provider();
      const first = await sut.getToken();

      clock += 269_000;
      expect(await sut.getToken()).toBe(first);
      expect(authServer.tokenRequestCount).toBe(1);

      clock += 1_000;
      const second = await sut.getToken();
      expect(second.value).not.toBe(first.value);
      expect(second.expiresAt).toEqual(new Date(clock + 300_000));
      expect(authServer.tokenRequestCount).toBe(2);
      expect(authServer.metadataRequests).toBe(1);
    });

    it('honours a configured skew', async () => {
      const sut = provider({ refreshSkewSeconds: 60 });
      const first = await sut.getToken();

      clock += 239_000;
      expect(await sut.getToken()).toBe(first);
      clock += 1_000;
      expect((await sut.getToken()).value).not.toBe(first.value);
    });

    it('uses a short-lived token for at least half its lifetime whatever the skew', async () => {
      authServer.tokenLifetimeSeconds = 20;
      const sut = provider();
      const first = await sut.getToken();

      clock += 9_999;
      expect(await sut.getToken()).toBe(first);
      expect(authServer.tokenRequestCount).toBe(1);
      clock += 1;
      expect((await sut.getToken()).value).not.toBe(first.value);
      expect(authServer.tokenRequestCount).toBe(2);
    });

    it('sends one request for 50 concurrent callers', async () => {
      const sut = provider();
      const release = authServer.hold();

      const pending = Array.from({ length: 50 }, () => sut.getToken());
      await vi.waitFor(() => expect(authServer.tokenRequestCount).toBe(1));
      release();
      const tokens = await Promise.all(pending);

      expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
      expect(authServer.tokenRequestCount).toBe(1);
      expect(authServer.metadataRequests).toBe(1);
    });

    it('shares one failure among concurrent callers and does not cache it', async () => {
      const sut = provider();
      authServer.respondNext({
        status: 400,
        body: { error: 'invalid_scope', error_description: 'contacts:read is not granted' },
      });
      const release = authServer.hold();

      const pending = Array.from({ length: 10 }, () =>
        sut.getToken().then(
          () => 'resolved',
          (error: unknown) => error,
        ),
      );
      await vi.waitFor(() => expect(authServer.tokenRequestCount).toBe(1));
      release();
      const outcomes = await Promise.all(pending);

      expect(outcomes.every((o) => o instanceof TokenRequestError)).toBe(true);
      expect(authServer.tokenRequestCount).toBe(1);
      const token = await sut.getToken();
      expect(authServer.introspect(token.value)).toBeDefined();
      expect(authServer.tokenRequestCount).toBe(2);
    });

    it('forgets the token on invalidate(), and only the rejected token on invalidate(token)', async () => {
      const sut = provider();
      const first = await sut.getToken();

      sut.invalidate({ ...first, value: 'some-older-token' });
      expect(await sut.getToken()).toBe(first);

      sut.invalidate(first);
      const second = await sut.getToken();
      expect(second.value).not.toBe(first.value);

      sut.invalidate();
      expect((await sut.getToken()).value).not.toBe(second.value);
      expect(authServer.tokenRequestCount).toBe(3);
    });

    it('keeps serving a still-valid token when refreshing ahead of expiry finds the server unavailable', async () => {
      const sut = provider();
      const first = await sut.getToken();

      clock += 280_000;
      authServer.respondNext({ status: 503, body: { error: 'temporarily_unavailable' } });
      expect(await sut.getToken()).toBe(first);

      clock += 20_000;
      await authServer.stop();
      await expect(sut.getToken()).rejects.toBeInstanceOf(AuthServerUnavailableError);
    });

    it('does not fall back to the old token when the server refuses the client', async () => {
      const sut = provider();
      await sut.getToken();

      clock += 280_000;
      authServer.respondNext({
        status: 401,
        body: { error: 'invalid_client', error_description: 'The client is disabled' },
      });

      await expect(sut.getToken()).rejects.toBeInstanceOf(TokenRequestError);
    });
  });

  describe('errors', () => {
    it('reports an OAuth error answer as TokenRequestError with its code, description and status', async () => {
      const sut = provider({ clientSecret: 'wrong-secret-value' });

      const error = await sut.getToken().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TokenRequestError);
      expect(error).toMatchObject({
        error: 'invalid_client',
        error_description: 'Client authentication failed',
        status: 401,
        clientId: 'service-a',
      });
      expect((error as Error).message).toBe(
        `The authorization server at ${authServer.issuer} refused the token request of client "service-a": invalid_client (Client authentication failed)`,
      );
    });

    it('reports invalid_target when the client may not use the resource', async () => {
      const error = await provider({ resource: 'https://other.tollgate.local' })
        .getToken()
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ name: 'TokenRequestError', error: 'invalid_target', status: 400 });
    });

    it('reports an unreachable server as AuthServerUnavailableError and recovers when it is back', async () => {
      let reachable = false;
      const flakyFetch: typeof fetch = (input, init) =>
        reachable
          ? fetch(input, init)
          : Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }));
      const sut = provider({ fetch: flakyFetch });

      const error = await sut.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect((error as Error).message).toBe(
        `The authorization server at ${authServer.issuer} is unreachable (connect ECONNREFUSED 127.0.0.1:9)`,
      );

      reachable = true;
      expect(authServer.introspect((await sut.getToken()).value)).toBeDefined();
      expect(authServer.metadataRequests).toBe(1);
    });

    it('names the issuer and the socket error when nothing listens there', async () => {
      const issuer = authServer.issuer;
      await authServer.stop();

      const error = await provider()
        .getToken()
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect((error as Error).message).toMatch(
        new RegExp(`^The authorization server at ${issuer} is unreachable \\(connect ECONNREFUSED`),
      );
      expect(error).toMatchObject({ issuer, timedOut: false, status: undefined });
    });

    it('reports a server that does not answer in time as unavailable (timedOut)', async () => {
      const sut = provider({ timeoutMs: 200 });
      await sut.getToken().then(() => sut.invalidate());
      const release = authServer.hold();

      const error = await sut.getToken().catch((e: unknown) => e);
      release();

      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect(error).toMatchObject({
        timedOut: true,
        message: `The authorization server at ${authServer.issuer} is unreachable (no answer within 200 ms)`,
      });
    });

    it('reports 5xx as unavailable and rediscovers the metadata afterwards', async () => {
      const sut = provider();
      authServer.respondNext({
        status: 503,
        body: { error: 'temporarily_unavailable' },
        headers: { 'retry-after': '7' },
      });

      const error = await sut.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect(error).toMatchObject({
        status: 503,
        retryAfterSeconds: 7,
        message: `The authorization server at ${authServer.issuer} is unavailable (HTTP 503, temporarily_unavailable)`,
      });

      await sut.getToken();
      expect(authServer.metadataRequests).toBe(2);
    });

    it('reports 429 as unavailable (rate limited)', async () => {
      authServer.respondNext({ status: 429, body: '' });

      const error = await provider()
        .getToken()
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect((error as Error).message).toContain('is rate limiting this client (HTTP 429)');
    });

    it.each([
      ['a body that is not JSON', { status: 200, body: '<html>ok</html>' }, 'the body is not a JSON object'],
      ['a JSON array', { status: 200, body: [] }, 'the body is not a JSON object'],
      [
        'no access_token',
        { status: 200, body: { token_type: 'Bearer', expires_in: 60 } },
        'access_token is missing or not a string',
      ],
      [
        'an empty access_token',
        { status: 200, body: { access_token: '', token_type: 'Bearer', expires_in: 60 } },
        'access_token is missing or not a string',
      ],
      [
        'a non-Bearer token_type',
        { status: 200, body: { access_token: 'x', token_type: 'DPoP', expires_in: 60 } },
        'token_type "DPoP" is not Bearer',
      ],
      ['no token_type', { status: 200, body: { access_token: 'x', expires_in: 60 } }, 'token_type null is not Bearer'],
      [
        'no expires_in',
        { status: 200, body: { access_token: 'x', token_type: 'Bearer' } },
        'expires_in is missing or not a positive number',
      ],
      [
        'a zero expires_in',
        { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: 0 } },
        'expires_in is missing or not a positive number',
      ],
      [
        'a non-numeric expires_in',
        { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: 'soon' } },
        'expires_in is missing or not a positive number',
      ],
      [
        'a non-string scope',
        { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: 60, scope: ['a'] } },
        'scope is not a string',
      ],
      [
        'an error status without an OAuth body',
        { status: 404, body: '<html>Not Found</html>' },
        'expected a token or an OAuth error, got HTTP 404 without an "error" member',
      ],
      [
        'a redirect',
        { status: 307, body: '', headers: { location: 'https://elsewhere.example/token' } },
        'got HTTP 307 to https://elsewhere.example/token',
      ],
    ])('refuses %s (InvalidTokenResponseError) and caches nothing', async (_, response, problem) => {
      const sut = provider();
      authServer.respondNext(response);

      const error = await sut.getToken().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidTokenResponseError);
      expect((error as Error).message).toContain(problem);
      expect(authServer.introspect((await sut.getToken()).value)).toBeDefined();
      expect(authServer.tokenRequestCount).toBe(2);
    });

    it('refuses metadata that names another issuer (DiscoveryError, not retried as unavailable)', async () => {
      const sut = provider({ issuer: authServer.issuer.replace('127.0.0.1', 'localhost') });

      const error = await sut.getToken().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DiscoveryError);
      expect((error as Error).message).toContain(`names issuer ${authServer.issuer}`);
      expect(authServer.tokenRequestCount).toBe(0);
    });

    it('never puts the client secret in an error, a message or the provider’s printout', async () => {
      const errors: unknown[] = [];
      errors.push(
        await provider({ clientSecret: SECRET + 'x' })
          .getToken()
          .catch((e: unknown) => e),
      );
      authServer.respondNext({ status: 200, body: { access_token: 'x', token_type: 'mac', expires_in: 1 } });
      errors.push(
        await provider()
          .getToken()
          .catch((e: unknown) => e),
      );
      const sut = provider({ authMethod: 'client_secret_post' });
      await authServer.stop();
      errors.push(await sut.getToken().catch((e: unknown) => e));

      expect(errors.map((e) => (e as Error).name)).toEqual([
        'TokenRequestError',
        'InvalidTokenResponseError',
        'AuthServerUnavailableError',
      ]);
      for (const printed of [
        ...errors.map((e) => inspect(e, { depth: 10, showHidden: true })),
        inspect(sut, { depth: 10, showHidden: true }),
        JSON.stringify(sut),
      ]) {
        expect(printed).not.toContain(SECRET);
      }
    });

    it('refuses incomplete options without echoing them', () => {
      expect(
        () => new ClientCredentialsTokenProvider({ issuer: 'https://as.example', clientId: 'a', clientSecret: '' }),
      ).toThrow('clientSecret is required');
      expect(() => provider({ refreshSkewSeconds: -1 })).toThrow('refreshSkewSeconds must be a number ≥ 0');
      expect(() => provider({ authMethod: 'tls_client_auth' as never })).toThrow(
        'authMethod must be one of client_secret_basic, client_secret_post, private_key_jwt',
      );
      expect(() => provider({ authMethod: 'private_key_jwt' })).toThrow('private_key_jwt needs clientAssertionKey');
    });
  });
});
