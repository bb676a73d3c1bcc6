import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import {
  CompactEncrypt,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SigningKeysService } from '../../apps/auth-server/src/signing-keys/signing-keys.service.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  type JsonResponse,
} from '../support/auth-server.harness.js';
import { base64url, clientAssertion, generateClientKey, rawJws } from '../support/jose-forge.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';

/** RFC 6750 §3 challenge with only our own fixed texts: nothing from the request can reach it. */
const SAFE_CHALLENGE =
  /^Bearer realm="tollgate", error="(invalid_token|invalid_request)", error_description="[A-Za-z0-9 ().,:;<>'/+_-]+", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/api"$/;

interface Forgery {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with this key instead of the server's current signing key. */
  key?: CryptoKey | Uint8Array;
  alg?: string;
  crit?: Record<string, boolean>;
}

/**
 * RFC 8725 / RFC 9068 §4 hostile tokens against the management API (a resource server whose
 * verifier is libs/verifier). Every forgery starts from a token that is accepted, signed with the
 * server's real key, and changes one thing, so each refusal is due to that one thing.
 */
describe.each(testDatabases())('management API against hostile JWTs on $name', ({ create }) => {
  let server: AuthServerHarness;
  let jwksRequests = 0;
  let attackerJwks: Server;
  let attackerUrl: string;
  let attacker: { privateKey: CryptoKey; publicJwk: JWK };

  const now = () => Math.floor(Date.now() / 1000);

  function adminClaims(): JWTPayload & Record<string, unknown> {
    return {
      iss: server.issuer,
      sub: ADMIN_CLIENT_ID,
      aud: server.managementApi,
      client_id: ADMIN_CLIENT_ID,
      scope: 'admin',
      iat: now(),
      exp: now() + 300,
      jti: randomUUID(),
    };
  }

  async function forge(forgery: Forgery = {}): Promise<string> {
    const signing = server.app.get(SigningKeysService).signingKey();
    const claims: Record<string, unknown> = { ...adminClaims(), ...forgery.claims };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const header: Record<string, unknown> = {
      alg: forgery.alg ?? signing.alg,
      kid: signing.kid,
      typ: 'at+jwt',
      ...forgery.header,
    };
    for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader(header as never)
      .sign(forgery.key ?? signing.key, forgery.crit ? { crit: forgery.crit } : undefined);
  }

  function call(authorization: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return server.request('GET', '/api/clients', { headers: { authorization, ...headers } });
  }

  function expectRefused(response: JsonResponse, code: 'invalid_token' | 'invalid_request' = 'invalid_token'): void {
    const status = code === 'invalid_token' ? 401 : 400;
    const title = code === 'invalid_token' ? 'Unauthorized' : 'Bad Request';
    expect({ status: response.status, body: response.body }).toEqual({
      status,
      body: {
        type: `urn:tollgate:problem:${code}`,
        title,
        status,
        detail: expect.any(String),
        error: code,
        error_description: expect.any(String),
      },
    });
    expect(response.body.error_description).toBe(response.body.detail);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toMatch(SAFE_CHALLENGE);
    expect(response.headers.get('www-authenticate')).toContain(`error="${code}"`);
  }

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read']);
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    attacker = { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: 'attacker', alg: 'ES256' } };
    attackerJwks = createServer((_request, response) => {
      jwksRequests += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [attacker.publicJwk] }));
    });
    await new Promise<void>((resolve) => attackerJwks.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attackerJwks.address() as { port: number }).port}/jwks.json`;
  });
  afterAll(async () => {
    await server.stop();
    await new Promise((resolve) => attackerJwks.close(resolve));
  });

  it('accepts the unmodified forgery (so every refusal below is caused by its one change)', async () => {
    const response = await call(`Bearer ${await forge()}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: ADMIN_CLIENT_ID })]));
    // RFC 9068 §4 allows the media-type form of typ.
    expect((await call(`Bearer ${await forge({ header: { typ: 'application/at+jwt' } })}`)).status).toBe(200);
  });

  describe('algorithm confusion (RFC 8725 §2.1, §3.1)', () => {
    it('refuses alg none, with and without a signature part', async () => {
      const claims = adminClaims();
      expectRefused(await call(`Bearer ${rawJws({ alg: 'none', typ: 'at+jwt' }, claims)}`));
      expectRefused(await call(`Bearer ${rawJws({ alg: 'none', typ: 'at+jwt' }, claims, 'c2ln')}`));
      expectRefused(await call(`Bearer ${rawJws({ alg: 'None', typ: 'at+jwt' }, claims, 'c2ln')}`));
    });

    it('refuses HS256 keyed with the server’s public key (PEM, JWK JSON, raw coordinate)', async () => {
      const publicJwk = (await server.request('GET', '/.well-known/jwks.json')).body.keys[0] as JWK;
      const pem = await exportSPKI((await importJWK(publicJwk, 'ES256')) as CryptoKey);
      for (const secret of [pem, JSON.stringify(publicJwk), publicJwk.x!]) {
        expectRefused(await call(`Bearer ${await forge({ alg: 'HS256', key: new TextEncoder().encode(secret) })}`));
      }
    });

    it('refuses a key the server does not hold, even announced in an embedded jwk header', async () => {
      expectRefused(await call(`Bearer ${await forge({ key: attacker.privateKey })}`));
      expectRefused(
        await call(
          `Bearer ${await forge({ key: attacker.privateKey, header: { kid: 'attacker', jwk: attacker.publicJwk } })}`,
        ),
      );
      expectRefused(
        await call(`Bearer ${await forge({ key: attacker.privateKey, header: { jwk: attacker.publicJwk } })}`),
      );
    });

    it('ignores jku and x5u: no outbound fetch, token refused', async () => {
      expectRefused(
        await call(
          `Bearer ${await forge({ key: attacker.privateKey, header: { kid: 'attacker', jku: attackerUrl } })}`,
        ),
      );
      expectRefused(
        await call(
          `Bearer ${await forge({ key: attacker.privateKey, header: { kid: 'attacker', x5u: attackerUrl } })}`,
        ),
      );
      expect(jwksRequests).toBe(0);
    });
  });

  describe('token type and claims (RFC 9068 §4, RFC 8725 §3.8–3.11)', () => {
    it.each([
      ['typ JWT (an ID token or a generic JWT)', { header: { typ: 'JWT' } }],
      ['no typ', { header: { typ: undefined } }],
      ['typ of a logout token', { header: { typ: 'logout+jwt' } }],
      ['a foreign aud', { claims: { aud: CRM } }],
      ['no aud', { claims: { aud: undefined } }],
      ['a foreign iss', { claims: { iss: 'https://evil.example' } }],
      ['the issuer with a trailing slash', { claims: { iss: 'TRAILING_SLASH' } }],
      ['no iss', { claims: { iss: undefined } }],
      ['an exp 10 s in the past (beyond the 5 s skew)', { claims: { exp: 'PAST' } }],
      ['no exp', { claims: { exp: undefined } }],
      ['an nbf a minute ahead', { claims: { nbf: 'FUTURE' } }],
      ['an iat a minute ahead', { claims: { iat: 'FUTURE' } }],
      ['no iat', { claims: { iat: undefined } }],
      ['no jti', { claims: { jti: undefined } }],
      ['no client_id', { claims: { client_id: undefined } }],
      ['a numeric client_id', { claims: { client_id: 42 } }],
      ['a non-string scope', { claims: { scope: ['admin'] } }],
      ['the client_id of no client', { claims: { client_id: 'ghost-client', sub: 'ghost-client' } }],
    ])('refuses %s', async (_name, forgery: Forgery) => {
      const claims = Object.fromEntries(
        Object.entries(forgery.claims ?? {}).map(([name, value]) => [
          name,
          value === 'PAST'
            ? now() - 10
            : value === 'FUTURE'
              ? now() + 60
              : value === 'TRAILING_SLASH'
                ? `${server.issuer}/`
                : value,
        ]),
      );
      expectRefused(await call(`Bearer ${await forge({ ...forgery, claims })}`));
    });

    it('refuses a client assertion replayed as an access token', async () => {
      const key = await generateClientKey('ES256');
      const assertion = await clientAssertion(key, ADMIN_CLIENT_ID, server.managementApi, {
        claims: { scope: 'admin', client_id: ADMIN_CLIENT_ID },
      });
      expectRefused(await call(`Bearer ${assertion}`));
    });

    it('refuses a token of another resource carrying the right scope', async () => {
      const crmClient = await server.createClient({
        name: 'crm',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      expectRefused(await call(`Bearer ${await server.token(crmClient.id, crmClient.secret)}`));
    });
  });

  describe('lifetime (a stolen key must not mint tokens that outlive a missed revocation)', () => {
    it('refuses a token whose exp - iat exceeds the longest lifetime the issuer grants, saying why; introspection calls it inactive', async () => {
      const iat = now();
      const yearLong = await forge({ claims: { iat, exp: iat + 365 * 86_400 } });
      const refused = await call(`Bearer ${yearLong}`);
      expectRefused(refused);
      expect(refused.body.error_description).toBe(
        `The access token lives longer (exp - iat) than this issuer grants (${MAX_ACCESS_TOKEN_LIFETIME_SECONDS} s)`,
      );
      expectRefused(
        await call(`Bearer ${await forge({ claims: { iat, exp: iat + MAX_ACCESS_TOKEN_LIFETIME_SECONDS + 1 } })}`),
      );
      expect(
        (await call(`Bearer ${await forge({ claims: { iat, exp: iat + MAX_ACCESS_TOKEN_LIFETIME_SECONDS } })}`)).status,
      ).toBe(200);
      expect((await server.introspect(yearLong, { id: ADMIN_CLIENT_ID, secret: ADMIN_CLIENT_SECRET })).body).toEqual({
        active: false,
      });
    });
  });

  describe('integrity', () => {
    it('refuses an edited payload, a stripped or borrowed signature and a swapped header', async () => {
      const genuine = await server.admin();
      const [header, payload, signature] = genuine.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      // Another genuine token whose header differs (typ in its media-type form).
      const other = (await forge({ header: { typ: 'application/at+jwt' } })).split('.');
      expectRefused(
        await call(`Bearer ${header}.${base64url(JSON.stringify({ ...claims, exp: claims.exp + 3600 }))}.${signature}`),
      );
      expectRefused(
        await call(`Bearer ${header}.${base64url(JSON.stringify({ ...claims, sub: 'someone-else' }))}.${signature}`),
      );
      expectRefused(await call(`Bearer ${header}.${payload}.`));
      expectRefused(await call(`Bearer ${header}.${payload}`));
      expectRefused(await call(`Bearer ${header}.${payload}.${other[2]}`));
      expectRefused(await call(`Bearer ${other[0]}.${payload}.${signature}`));
      expectRefused(await call(`Bearer ${header}.${payload}.${signature}.${signature}`));
      expect((await call(`Bearer ${genuine}`)).status).toBe(200);
    });
  });

  describe('hostile key ids (RFC 8725 §3.10)', () => {
    it.each([
      ['unknown', 'no-such-key'],
      ['a path', '../../dev/null'],
      ['SQL', "' OR 1=1--"],
      ['empty', ''],
      ['quotes and CRLF', 'a"b\r\nX-Injected: 1'],
      ['a URL', 'http://127.0.0.1:1/jwks.json'],
      ['10 KB long', 'k'.repeat(10_000)],
    ])('refuses a kid that is %s, never with a 500', async (_name, kid) => {
      expectRefused(await call(`Bearer ${await forge({ header: { kid } })}`));
    });
  });

  describe('unsupported forms', () => {
    it('refuses an unknown critical header parameter (RFC 7515 §4.1.11)', async () => {
      expectRefused(
        await call(
          `Bearer ${await forge({ header: { crit: ['x-tollgate-unknown'], 'x-tollgate-unknown': true }, crit: { 'x-tollgate-unknown': true } })}`,
        ),
      );
      expectRefused(
        await call(
          `Bearer ${rawJws({ alg: 'ES256', typ: 'at+jwt', crit: ['b64'], b64: false }, adminClaims(), 'c2ln')}`,
        ),
      );
    });

    it('refuses a JWE', async () => {
      const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(adminClaims())))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'at+jwt' })
        .encrypt(randomBytes(32));
      expect(jwe.split('.')).toHaveLength(5);
      expectRefused(await call(`Bearer ${jwe}`));
    });

    it('refuses a 9 KB token before parsing it, and a 100 KB one at the HTTP layer', async () => {
      expectRefused(await call(`Bearer ${await forge({ claims: { pad: 'p'.repeat(9000) } })}`));
      const huge = await call(`Bearer ${'a'.repeat(100_000)}`);
      expect(huge.status).toBe(431);
    });

    it('refuses garbage that looks like a token', async () => {
      for (const token of [
        'a.b.c',
        'e30.e30.e30',
        '....',
        'tgs_0000000000000000000000000000000000000000000000000',
        'x',
      ]) {
        expectRefused(await call(`Bearer ${token}`));
      }
    });
  });

  describe('where the credential travels (RFC 6750 §2)', () => {
    it('answers 401 without error to a request without credentials', async () => {
      const response = await server.request('GET', '/api/clients');
      expect({ status: response.status, body: response.body }).toEqual({
        status: 401,
        body: {
          type: 'urn:tollgate:problem:unauthenticated',
          title: 'Unauthorized',
          status: 401,
          detail: 'A credential is required: send "Authorization: Bearer <token>" (or X-API-Key for API keys)',
        },
      });
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="tollgate", resource_metadata="${server.issuer}/.well-known/oauth-protected-resource/api"`,
      );
    });

    it.each([
      ['a token in the query', async (token: string) => server.request('GET', `/api/clients?access_token=${token}`)],
      [
        'a token in the query and the header',
        async (token: string) =>
          server.request('GET', `/api/clients?access_token=${token}`, {
            headers: { authorization: `Bearer ${token}` },
          }),
      ],
      [
        'a token in a JSON body',
        async (token: string) =>
          server.request('POST', '/api/resources', {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ access_token: token }),
          }),
      ],
      [
        'a token in a JSON body and the header',
        async (token: string) =>
          server.request('POST', '/api/resources', {
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ access_token: token, indicator: 'https://x.test', name: 'x', scopes: [] }),
          }),
      ],
      ['"Bearer" with no token', async () => call('Bearer')],
      ['"Bearer" and two spaces', async (token: string) => call(`Bearer  ${token}`)],
      ['two tokens', async (token: string) => call(`Bearer ${token} ${token}`)],
      ['a comma-joined second header', async (token: string) => call(`Bearer ${token}, Bearer ${token}`)],
      ['a quote in the token', async () => call('Bearer abc"def')],
      [
        'a JWT in X-API-Key',
        async (token: string) => server.request('GET', '/api/clients', { headers: { 'x-api-key': token } }),
      ],
      [
        'both Authorization and X-API-Key',
        async (token: string) => call(`Bearer ${token}`, { 'x-api-key': 'tgk_live_abc' }),
      ],
    ])('answers 400 invalid_request to %s', async (_name, send) => {
      expectRefused(await send(await server.admin()), 'invalid_request');
    });

    it('accepts the scheme in any case (RFC 9110 §11.1)', async () => {
      expect((await call(`bearer ${await server.admin()}`)).status).toBe(200);
      expect((await call(`BEARER ${await server.admin()}`)).status).toBe(200);
    });

    it('answers 401 without error to another scheme', async () => {
      const response = await call('Basic dGVzdC1hZG1pbjpzZWNyZXQ=');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="tollgate", resource_metadata="${server.issuer}/.well-known/oauth-protected-resource/api"`,
      );
    });
  });

  describe('two auth-servers in one process', () => {
    it('each refuses the other’s tokens (passport strategies are per app)', async () => {
      const other = await AuthServerHarness.start();
      try {
        expectRefused(
          await other.request('GET', '/api/clients', { headers: { authorization: `Bearer ${await server.admin()}` } }),
        );
        expectRefused(await call(`Bearer ${await other.admin()}`));
        expect((await call(`Bearer ${await server.admin()}`)).status).toBe(200);
        expect((await other.api('GET', '/api/clients')).status).toBe(200);
      } finally {
        await other.stop();
      }
    });
  });
});
