import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { generateCredential } from '@tollgate/credentials';
import { ProblemException } from '@tollgate/platform/http';
import { MemoryRateLimiter } from '@tollgate/rate-limit';
import { LocalSigningKey, TEST_ISSUER, TEST_RESOURCE } from '../../../../test/support/local-signing-key.js';
import { CredentialVerifier, type OpaqueCredentialVerifier } from '../credential.verifier.js';
import { JwtAccessTokenVerifier } from '../jwt/jwt-access-token.verifier.js';
import { RevocationList } from '../revocation/revocation-list.js';
import type { Principal } from '../principal.js';
import { VerificationError } from '../verification-error.js';
import { ProtectedResource } from '../http/protected-resource-metadata.js';
import type { DeniedRequest } from '../http/request-authentication.js';
import { type CredentialGuardOptions, createCredentialGuard, type GuardedRequest } from './credential.guard.js';
import { Public, RequireScopes } from './decorators.js';
import { createStrategies } from './strategies.js';

class ContactsController {
  @Public()
  health(): void {}

  list(): void {}

  @RequireScopes('contacts:write')
  create(): void {}
}

@Public()
class OpenController {
  anything(): void {}
}

/** A minimal ExecutionContext (testing-nestjs style, by hand): the request, a Fastify-like reply, the route. */
function contextFor(
  request: GuardedRequest,
  handler: () => void = ContactsController.prototype.list,
  controller: object = ContactsController,
) {
  const response = { headers: vi.fn() };
  const context = {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response, getNext: () => undefined }),
  } as unknown as ExecutionContext;
  return { context, response };
}

function request(overrides: Partial<GuardedRequest> = {}): GuardedRequest {
  return {
    ip: '203.0.113.7',
    method: 'GET',
    url: '/contacts?page=2',
    headers: {},
    query: {},
    body: undefined,
    ...overrides,
  };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** What the client receives: status, the WWW-Authenticate challenge, the other headers, the body. */
async function answer(
  promise: Promise<unknown>,
): Promise<{ status: number; challenge?: string; headers: Record<string, string>; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => expect.fail('the request was let through'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProblemException);
  const { 'WWW-Authenticate': challenge, ...headers } = (error as ProblemException).headers;
  return {
    status: (error as ProblemException).getStatus(),
    challenge,
    headers,
    body: (error as ProblemException).getResponse() as Record<string, unknown>,
  };
}

const REALM = 'tollgate';

/** Verifies JWTs signed by `key` for TEST_RESOURCE, on the test's clock. */
const jwtVerifierTrusting = (key: LocalSigningKey, now: () => number) =>
  new JwtAccessTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_RESOURCE,
    keys: key.keys,
    now: () => new Date(now()),
  });

type GuardClass = new (
  reflector: Reflector,
  options: CredentialGuardOptions,
  verifier: CredentialVerifier,
) => CanActivate;

describe(createCredentialGuard.name, () => {
  let strategies: { names: string[] };
  let key: LocalSigningKey;
  let jwt: JwtAccessTokenVerifier;
  let opaque: { verify: ReturnType<typeof vi.fn<OpaqueCredentialVerifier['verify']>> };
  let verifier: CredentialVerifier;
  let denied: DeniedRequest[];
  let now: number;

  const guard = (options: Partial<CredentialGuardOptions> = {}): CanActivate => {
    const Guard = createCredentialGuard(strategies.names) as unknown as GuardClass;
    return new Guard(
      new Reflector(),
      { realm: REALM, onDenied: (refused) => denied.push(refused), ...options },
      verifier,
    );
  };
  let sut: CanActivate;
  /** The answer to a request the guard refuses (the test fails if it lets it through). */
  const answerTo = (req: GuardedRequest, handler?: () => void, controller?: object) =>
    answer(sut.canActivate(contextFor(req, handler, controller).context) as Promise<boolean>);

  const apiKeyPrincipal = (overrides: Partial<Principal> = {}): Principal => ({
    credentialType: 'api_key',
    credentialId: 'key-1',
    subject: 'consumer-1',
    consumerId: 'consumer-1',
    scopes: new Set(['contacts:read']),
    audience: [],
    ...overrides,
  });

  beforeAll(async () => {
    now = Date.now();
    key = await LocalSigningKey.create(() => now);
    jwt = jwtVerifierTrusting(key, () => now);
    opaque = { verify: vi.fn<OpaqueCredentialVerifier['verify']>() };
    verifier = new CredentialVerifier({
      jwt,
      opaque,
      rateLimiter: new MemoryRateLimiter(() => now),
      now: () => now,
    });
    // The passport strategies register themselves (process-wide) when constructed, as Nest would construct them.
    const created = createStrategies('credential-guard-spec');
    for (const Strategy of created.providers) new (Strategy as new (verifier: CredentialVerifier) => unknown)(verifier);
    strategies = created;
  });

  beforeEach(() => {
    now = Date.now();
    denied = [];
    opaque.verify.mockReset().mockResolvedValue(apiKeyPrincipal());
    vi.spyOn(jwt, 'verify').mockClear();
    sut = guard();
  });

  describe('open routes', () => {
    it('lets @Public() routes and controllers through without a credential, even a misplaced one', async () => {
      expect(await sut.canActivate(contextFor(request(), ContactsController.prototype.health).context)).toBe(true);
      expect(
        await sut.canActivate(
          contextFor(request({ query: { access_token: 'x' } }), OpenController.prototype.anything, OpenController)
            .context,
        ),
      ).toBe(true);
      expect(jwt.verify).not.toHaveBeenCalled();
    });
  });

  describe('no credential', () => {
    it('answers 401 with a bare challenge (no error code: RFC 6750 §3.1) and reports no refusal', async () => {
      expect(await answerTo(request())).toEqual({
        status: 401,
        challenge: 'Bearer realm="tollgate"',
        headers: {},
        body: expect.objectContaining({ status: 401, type: 'urn:tollgate:problem:unauthenticated' }),
      });
      expect(denied).toEqual([]);
    });

    it('treats another scheme (Basic) as no bearer credential', async () => {
      expect(await answerTo(request({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }))).toMatchObject({
        status: 401,
        challenge: 'Bearer realm="tollgate"',
      });
    });
  });

  describe('where the credential travels (before passport-http-bearer, which would take the URL and the body)', () => {
    it.each([
      ['access_token', 'access_token'],
      ['api_key', 'api_key'],
      ['token', 'token'],
      ['a credential under any other name', 'q'],
    ])(
      'refuses a token in the query string (%s) with 400 invalid_request, without verifying it',
      async (_label, name) => {
        const token = name === 'q' ? generateCredential('api_key', { environment: 'live' }) : await key.sign();
        const refused = await answerTo(request({ query: { [name]: token } }));

        expect(refused).toEqual({
          status: 400,
          challenge:
            'Bearer realm="tollgate", error="invalid_request", error_description="Credentials are not accepted in the URL: send them in the Authorization header (or X-API-Key for API keys)"',
          headers: {},
          body: expect.objectContaining({ status: 400, error: 'invalid_request' }),
        });
        expect(jwt.verify).not.toHaveBeenCalled();
        expect(opaque.verify).not.toHaveBeenCalled();
        expect(denied).toEqual([
          expect.objectContaining({
            error: expect.objectContaining({ reason: 'credential_in_query' }),
            address: '203.0.113.7',
            method: 'GET',
            path: '/contacts',
          }),
        ]);
      },
    );

    it('refuses a token in the body (RFC 6750 §2.2 is not offered)', async () => {
      const refused = await answerTo(request({ method: 'POST', body: { access_token: await key.sign() } }));
      expect(refused).toMatchObject({
        status: 400,
        challenge: expect.stringContaining('error="invalid_request"'),
        body: { error: 'invalid_request' },
      });
      expect(denied[0].error.reason).toBe('credential_in_body');
      expect(jwt.verify).not.toHaveBeenCalled();
    });

    it('refuses two credentials at once (Authorization and X-API-Key)', async () => {
      const headers = {
        ...bearer(await key.sign()),
        'x-api-key': generateCredential('api_key', { environment: 'live' }),
      };
      expect(await answerTo(request({ headers }))).toMatchObject({
        status: 400,
        challenge:
          'Bearer realm="tollgate", error="invalid_request", error_description="Send either an Authorization header or an X-API-Key header, not both"',
      });
      expect(denied[0].error.reason).toBe('several_credentials');
    });

    it('refuses a repeated Authorization header', async () => {
      const token = await key.sign();
      expect(
        await answerTo(request({ headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } })),
      ).toMatchObject({
        status: 400,
        body: { error: 'invalid_request' },
      });
      expect(denied[0].error.reason).toBe('repeated_header');
    });

    it.each(['Bearer', 'Bearer ', 'Bearer  two-spaces', 'Bearer a b', 'Bearer tök€n'])(
      'refuses the malformed header %j',
      async (authorization) => {
        expect(await answerTo(request({ headers: { authorization } }))).toMatchObject({
          status: 400,
          // The quotes of the description become spaces: nothing may end the quoted-string early.
          challenge:
            'Bearer realm="tollgate", error="invalid_request", error_description="The Authorization header must be  Bearer <token>  or  DPoP <token> "',
        });
        expect(denied[0].error.reason).toBe('malformed_header');
      },
    );

    it('refuses a malformed X-API-Key', async () => {
      expect(await answerTo(request({ headers: { 'x-api-key': 'tgk live; drop' } }))).toMatchObject({
        status: 400,
        body: { error: 'invalid_request' },
      });
      expect(denied[0].error.reason).toBe('malformed_header');
    });
  });

  describe('verification', () => {
    it('lets a valid token through and sets the caller on the request', async () => {
      const req = request({ headers: bearer(await key.sign({ jti: 'jti-1' })) });
      expect(await sut.canActivate(contextFor(req).context)).toBe(true);
      expect(req.user).toMatchObject({ credentialType: 'access_token', credentialId: 'jti-1', subject: 'client-1' });
      expect(denied).toEqual([]);
    });

    it('answers 401 invalid_token with the reason in the challenge and the body', async () => {
      const expired = await key.sign({ iat: Math.floor(now / 1000) - 600, exp: Math.floor(now / 1000) - 300 });
      expect(await answerTo(request({ headers: bearer(expired) }))).toEqual({
        status: 401,
        challenge: 'Bearer realm="tollgate", error="invalid_token", error_description="The access token has expired"',
        headers: {},
        body: expect.objectContaining({
          status: 401,
          type: 'urn:tollgate:problem:invalid_token',
          error: 'invalid_token',
          error_description: 'The access token has expired',
        }),
      });
      expect(denied).toEqual([
        expect.objectContaining({ error: expect.objectContaining({ reason: 'expired' }), principal: undefined }),
      ]);
    });

    it('answers 403 insufficient_scope naming the scope the route needs (RFC 6750 §3.1)', async () => {
      const req = request({ method: 'POST', headers: bearer(await key.sign({ scope: 'contacts:read' })) });
      expect(await answerTo(req, ContactsController.prototype.create)).toEqual({
        status: 403,
        challenge:
          'Bearer realm="tollgate", error="insufficient_scope", error_description="This request needs the scope contacts:write", scope="contacts:write"',
        headers: {},
        body: expect.objectContaining({ status: 403, error: 'insufficient_scope', scope: 'contacts:write' }),
      });
      expect(denied[0]).toMatchObject({ error: { reason: 'insufficient_scope' }, principal: { subject: 'client-1' } });
    });

    it('lets a token with the scope through', async () => {
      const req = request({
        method: 'POST',
        headers: bearer(await key.sign({ scope: 'contacts:read contacts:write' })),
      });
      expect(await sut.canActivate(contextFor(req, ContactsController.prototype.create).context)).toBe(true);
    });
  });

  describe('the credential’s policy (API keys)', () => {
    const apiKey = generateCredential('api_key', { environment: 'live' });

    it('sets the RateLimit fields on the answer of an allowed request', async () => {
      opaque.verify.mockResolvedValue(
        apiKeyPrincipal({ constraints: { rateLimit: { requests: 5, perSeconds: 60, bucket: 'guard-allowed' } } }),
      );
      const { context, response } = contextFor(request({ headers: { 'x-api-key': apiKey } }));

      expect(await sut.canActivate(context)).toBe(true);
      expect(response.headers).toHaveBeenCalledWith({
        'RateLimit-Policy': '"credential";q=5;w=60',
        RateLimit: '"credential";r=4;t=12',
      });
    });

    it('answers 429 with Retry-After and the RateLimit fields, without a bearer challenge', async () => {
      opaque.verify.mockResolvedValue(
        apiKeyPrincipal({ constraints: { rateLimit: { requests: 1, perSeconds: 60, bucket: 'guard-limited' } } }),
      );
      await sut.canActivate(contextFor(request({ headers: bearer(apiKey) })).context);

      expect(await answerTo(request({ headers: bearer(apiKey) }))).toEqual({
        status: 429,
        challenge: undefined,
        headers: {
          'RateLimit-Policy': '"credential";q=1;w=60',
          RateLimit: '"credential";r=0;t=60',
          'Retry-After': '60',
        },
        body: expect.objectContaining({ status: 429, error: 'rate_limited' }),
      });
      expect(denied[0]).toMatchObject({ error: { reason: 'rate_limited' }, principal: { credentialId: 'key-1' } });
    });

    it('answers 403 access_denied from an address outside the allowlist, without a bearer challenge', async () => {
      opaque.verify.mockResolvedValue(apiKeyPrincipal({ constraints: { ipAllowlist: ['10.0.0.0/8'] } }));
      expect(await answerTo(request({ headers: { 'x-api-key': apiKey } }))).toEqual({
        status: 403,
        challenge: undefined,
        headers: {},
        body: expect.objectContaining({
          status: 403,
          error: 'access_denied',
          error_description: 'This credential may not be used from your address',
        }),
      });
      expect(denied[0]).toMatchObject({ error: { reason: 'ip_not_allowed' }, principal: { credentialId: 'key-1' } });
    });

    it('answers 503 with Retry-After when the credential cannot be checked', async () => {
      opaque.verify.mockRejectedValue(
        new VerificationError(
          'temporarily_unavailable',
          'The authorization server could not be reached to check the credential',
          'introspection_unreachable',
        ),
      );
      expect(await answerTo(request({ headers: { 'x-api-key': apiKey } }))).toMatchObject({
        status: 503,
        challenge: undefined,
        headers: { 'Retry-After': '5' },
        body: { error: 'temporarily_unavailable' },
      });
    });
  });

  describe('fallback (console sessions)', () => {
    const session: Principal = {
      credentialType: 'session',
      credentialId: 'session-1',
      subject: 'user-1',
      scopes: new Set(['contacts:read']),
      audience: [],
    };

    it('authenticates a request without credential headers, scopes still checked', async () => {
      const fallback = vi.fn().mockResolvedValue(session);
      sut = guard({ fallback });
      const req = request();

      expect(await sut.canActivate(contextFor(req).context)).toBe(true);
      expect(req.user).toBe(session);
      expect(await answerTo(request(), ContactsController.prototype.create)).toMatchObject({
        status: 403,
        body: { error: 'insufficient_scope' },
      });
    });

    it('is not asked when a bearer credential is present, and a null answer is no credential', async () => {
      const fallback = vi.fn().mockResolvedValue(null);
      sut = guard({ fallback });

      await sut.canActivate(contextFor(request({ headers: bearer(await key.sign()) })).context);
      expect(fallback).not.toHaveBeenCalled();
      expect(await answerTo(request())).toMatchObject({ status: 401, challenge: 'Bearer realm="tollgate"' });
    });

    it('lets an unexpected error through as it is, without reporting a refusal', async () => {
      const failure = new Error('database down');
      sut = guard({ fallback: () => Promise.reject(failure) });
      await expect(sut.canActivate(contextFor(request()).context)).rejects.toBe(failure);
      expect(denied).toEqual([]);
    });
  });

  describe('RFC 9728: the challenge names the protected resource metadata', () => {
    const protectedResource = new ProtectedResource({
      resource: TEST_RESOURCE,
      authorizationServers: [TEST_ISSUER],
    });
    beforeEach(() => {
      sut = guard({ protectedResource });
    });

    it('on the origin the client called, with no credential and with a refused one', async () => {
      const called = { protocol: 'https', host: 'crm.example.com:8443' };
      expect((await answerTo(request(called))).challenge).toBe(
        'Bearer realm="tollgate", resource_metadata="https://crm.example.com:8443/.well-known/oauth-protected-resource"',
      );
      const expired = await key.sign({ iat: Math.floor(now / 1000) - 600, exp: Math.floor(now / 1000) - 300 });
      expect((await answerTo(request({ ...called, headers: bearer(expired) }))).challenge).toBe(
        'Bearer realm="tollgate", error="invalid_token", error_description="The access token has expired", ' +
          'resource_metadata="https://crm.example.com:8443/.well-known/oauth-protected-resource"',
      );
    });

    it('leaves it out when the Host header does not make a URL, rather than echo it', async () => {
      for (const host of ['evil.example/path?', 'user@evil.example', 'a" , error="x', '', undefined])
        expect((await answerTo(request({ protocol: 'http', host }))).challenge).toBe('Bearer realm="tollgate"');
    });
  });

  it('keeps the challenge well-formed whatever the realm holds (no quote, backslash or CR LF breaks out)', async () => {
    sut = guard({ realm: 'evil"\\\r\nSet-Cookie: a=b' });
    expect((await answerTo(request())).challenge).toBe('Bearer realm="evil    Set-Cookie: a=b"');
  });
});

/**
 * A credential verified before is answered from memory without passport (issue 15): every decision
 * must come out as it does through passport-http-bearer on first use.
 */
describe('createCredentialGuard: a credential verified before', () => {
  const apiKey = generateCredential('api_key', { environment: 'live' });
  let key: LocalSigningKey;
  let jwt: JwtAccessTokenVerifier;
  let revocations: RevocationList;
  let verifier: CredentialVerifier;
  let remembered: Map<string, Principal>;
  let opaque: OpaqueCredentialVerifier & { verify: ReturnType<typeof vi.fn<OpaqueCredentialVerifier['verify']>> };
  let now: number;
  let denied: DeniedRequest[];
  let sut: CanActivate;

  const keyPrincipal = (overrides: Partial<Principal> = {}): Principal => ({
    credentialType: 'api_key',
    credentialId: `key-${Math.random()}`,
    subject: 'consumer-1',
    consumerId: 'consumer-1',
    scopes: new Set(['contacts:read']),
    audience: [],
    ...overrides,
  });

  /** The request's outcome as the client and the app see it. */
  async function decision(headers: Record<string, string>, handler?: () => void) {
    const req = request({ headers });
    const { context, response } = contextFor(req, handler);
    const before = denied.length;
    try {
      await sut.canActivate(context);
      return { allowed: req.user, headers: response.headers.mock.calls, denied: denied.slice(before) };
    } catch (error) {
      const answered = await answer(Promise.reject(error));
      return { answered, headers: response.headers.mock.calls, denied: denied.slice(before) };
    }
  }

  beforeAll(async () => {
    now = Date.now();
    key = await LocalSigningKey.create(() => now);
    jwt = jwtVerifierTrusting(key, () => now);
    revocations = new RevocationList(() => now);
    remembered = new Map();
    opaque = {
      verify: vi.fn<OpaqueCredentialVerifier['verify']>(async (token) => {
        const principal = remembered.get(token);
        if (!principal) throw new VerificationError('invalid_token', 'The credential is not valid', 'inactive');
        return principal;
      }),
      cached: (token) =>
        opaque.verify.mock.calls.some(([called]) => called === token) ? remembered.get(token) : undefined,
    };
    verifier = new CredentialVerifier({
      jwt,
      opaque,
      revocations,
      rateLimiter: new MemoryRateLimiter(() => now),
      now: () => now,
    });
    const created = createStrategies('credential-guard-remembered-spec');
    for (const Strategy of created.providers) new (Strategy as new (verifier: CredentialVerifier) => unknown)(verifier);
    const Guard = createCredentialGuard(created.names) as unknown as GuardClass;
    sut = new Guard(new Reflector(), { realm: REALM, onDenied: (refused) => denied.push(refused) }, verifier);
  });

  beforeEach(() => {
    now = Date.now();
    denied = [];
    vi.spyOn(jwt, 'verify').mockClear();
    vi.spyOn(verifier, 'verifyRequest').mockClear();
    opaque.verify.mockClear();
  });

  it('lets a JWT through again without verifying it again, with the same caller', async () => {
    const token = await key.sign({ jti: 'again-1' });
    const first = await decision(bearer(token));
    const second = await decision(bearer(token));
    expect(second).toEqual(first);
    expect(first.allowed).toMatchObject({ credentialId: 'again-1' });
    expect(jwt.verify).toHaveBeenCalledTimes(1);
    // The second request did not go through passport's strategies at all.
    expect(verifier.verifyRequest).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered JWT once it is revoked, as passport would refuse it', async () => {
    const token = await key.sign({ jti: 'revoked-1' });
    await decision(bearer(token));
    revocations.revokeToken('revoked-1', new Date(now + 3_600_000));
    const remembered = await decision(bearer(token));
    const fresh = await decision(bearer(await key.sign({ jti: 'revoked-1' })));
    expect(remembered).toEqual(fresh);
    expect(remembered.answered).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(remembered.denied).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ reason: 'revoked' }) }),
    ]);
  });

  it('refuses a remembered JWT after its expiry, and checks scopes on every request', async () => {
    const token = await key.sign({ scope: 'contacts:read', exp: Math.floor(now / 1000) + 60 });
    expect((await decision(bearer(token))).allowed).toBeDefined();
    expect(await decision(bearer(token), ContactsController.prototype.create)).toMatchObject({
      answered: { status: 403, body: { error: 'insufficient_scope', scope: 'contacts:write' } },
    });
    now += 70_000; // past `exp` and the 5 s clock tolerance
    expect(await decision(bearer(token))).toMatchObject({
      answered: { status: 401, body: { error_description: 'The access token has expired' } },
    });
  });

  it('keeps enforcing an API key’s rate limit and allowlist, with the same answers, from memory', async () => {
    remembered.set(
      apiKey,
      keyPrincipal({ constraints: { rateLimit: { requests: 2, perSeconds: 60, bucket: 'remembered-limit' } } }),
    );
    const first = await decision({ 'x-api-key': apiKey });
    const second = await decision({ 'x-api-key': apiKey });
    const third = await decision(bearer(apiKey));
    expect(opaque.verify).toHaveBeenCalledTimes(1);
    expect(first.headers).toEqual([
      [{ 'RateLimit-Policy': '"credential";q=2;w=60', RateLimit: '"credential";r=1;t=30' }],
    ]);
    expect(second.headers).toEqual([
      [{ 'RateLimit-Policy': '"credential";q=2;w=60', RateLimit: '"credential";r=0;t=60' }],
    ]);
    expect(third).toMatchObject({
      answered: { status: 429, headers: { 'Retry-After': '30' }, body: { error: 'rate_limited' } },
      denied: [{ error: { reason: 'rate_limited' } }],
    });

    const fenced = generateCredential('api_key', { environment: 'live' });
    remembered.set(fenced, keyPrincipal({ constraints: { ipAllowlist: ['10.0.0.0/8'] } }));
    const refusals = [await decision({ 'x-api-key': fenced }), await decision({ 'x-api-key': fenced })];
    expect(refusals[1]).toEqual(refusals[0]);
    expect(refusals[0]).toMatchObject({ answered: { status: 403, body: { error: 'access_denied' } } });
  });

  it('still refuses a remembered credential sent where credentials may not travel', async () => {
    const token = await key.sign();
    await decision(bearer(token));
    const req = request({ headers: bearer(token), query: { access_token: token } });
    expect(await answer(sut.canActivate(contextFor(req).context) as Promise<boolean>)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });
});
