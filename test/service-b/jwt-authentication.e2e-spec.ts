import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import { type CryptoKey, exportSPKI, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { SigningKeysService } from '../../apps/auth-server/src/signing-keys/signing-keys.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

describe('service-b: JWT access tokens (RFC 6750, RFC 8725, RFC 9068)', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let reader: { id: string; secret: string };
  let readToken: string;
  let key: { kid: string; alg: string; key: CryptoKey | Uint8Array };

  /** A token signed with the auth-server's real current key, with chosen header and claims. */
  async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: auth.issuer,
      sub: reader.id,
      aud: CRM,
      client_id: reader.id,
      scope: 'contacts:read',
      iat: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
      .sign(key.key);
  }

  /** Signs whatever header we like (jose refuses to produce an unknown `crit`). */
  async function signRaw(header: Record<string, unknown>): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: auth.issuer,
      sub: reader.id,
      aud: CRM,
      client_id: reader.id,
      scope: 'contacts:read',
      iat: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
    };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      key.key as CryptoKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${Buffer.from(signature).toString('base64url')}`;
  }

  function expectChallenge(
    response: { status: number; headers: Headers; body: any },
    status: number,
    error: string,
  ): void {
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ status, error, error_description: expect.any(String) });
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(`^Bearer realm="tollgate", error="${error}", error_description="[^"\\r\\n]*"`),
    );
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth);
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    readToken = await auth.token(reader.id, reader.secret);
    key = auth.app.get(SigningKeysService).signingKey();
  });
  afterAll(async () => {
    await crm.stop();
    await auth.stop();
  });

  it('serves a token with the right scope', async () => {
    const response = await crm.bearer(readToken);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
  });

  it('asks for credentials without an error code when none are sent (RFC 6750 §3.1)', async () => {
    const response = await crm.request('GET', '/contacts');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="tollgate", resource_metadata="${crm.url}/.well-known/oauth-protected-resource"`,
    );
    expect(response.body).toMatchObject({ status: 401, type: 'urn:tollgate:problem:unauthenticated' });
  });

  it('refuses a write without contacts:write (403 insufficient_scope with the scope)', async () => {
    const response = await crm.bearer(readToken, 'POST', '/contacts', { name: 'Ada', email: 'ada@example.com' });
    expectChallenge(response, 403, 'insufficient_scope');
    expect(response.headers.get('www-authenticate')).toContain('scope="contacts:write"');
    expect((await crm.bearer(readToken)).body.total).toBe(0);
  });

  it.each([
    ['in the query string', '/contacts?access_token=TOKEN', {}],
    ['as an api_key query parameter', '/contacts?api_key=TOKEN', {}],
    ['with a malformed Authorization header', '/contacts', { authorization: 'Bearer a b' }],
    ['with an empty bearer', '/contacts', { authorization: 'Bearer ' }],
    ['in both Authorization and X-API-Key', '/contacts', { authorization: 'Bearer TOKEN', 'x-api-key': 'tgk_live_x' }],
  ])('refuses a token %s (400 invalid_request)', async (_name, path, headers) => {
    const withToken = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, (v as string).replace('TOKEN', readToken)]),
    );
    const response = await crm.request('GET', path.replace('TOKEN', readToken), withToken);
    expectChallenge(response, 400, 'invalid_request');
  });

  it('treats another auth scheme as no credential', async () => {
    const response = await crm.request('GET', '/contacts', { authorization: 'Basic Zm9vOmJhcg==' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="tollgate", resource_metadata="${crm.url}/.well-known/oauth-protected-resource"`,
    );
  });

  describe('refuses with 401 invalid_token', () => {
    it.each<[string, () => Promise<string>]>([
      [
        'alg none',
        async () =>
          new UnsecuredJWT({ iss: auth.issuer, sub: 'x', aud: CRM, client_id: 'x', scope: 'contacts:read', jti: 'j' })
            .setIssuedAt()
            .setExpirationTime('5m')
            .encode(),
      ],
      [
        'HS256 keyed with the public key',
        async () => {
          const publicJwk = (await auth.api('GET', '/.well-known/jwks.json', undefined, null)).body.keys[0];
          const pem = await exportSPKI((await importJWK(publicJwk, publicJwk.alg)) as CryptoKey);
          const now = Math.floor(Date.now() / 1000);
          return new SignJWT({
            iss: auth.issuer,
            sub: reader.id,
            aud: CRM,
            client_id: reader.id,
            scope: 'contacts:read',
            iat: now,
            exp: now + 300,
            jti: 'j',
          })
            .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicJwk.kid })
            .sign(new TextEncoder().encode(pem));
        },
      ],
      ['typ JWT instead of at+jwt', () => forge({}, { typ: 'JWT' })],
      ['another audience', () => forge({ aud: 'https://other.tollgate.local' })],
      ['another issuer', () => forge({ iss: 'https://evil.example' })],
      ['expired', () => forge({ exp: Math.floor(Date.now() / 1000) - 60 })],
      [
        'living a year (exp - iat), as a stolen key could mint it',
        () => forge({ exp: Math.floor(Date.now() / 1000) + 365 * 86_400 }),
      ],
      ['not yet valid', () => forge({ nbf: Math.floor(Date.now() / 1000) + 3600 })],
      ['missing jti', () => forge({ jti: undefined })],
      [
        'tampered payload',
        async () => {
          const [h, p, s] = (await forge({})).split('.');
          const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
          claims.scope = 'contacts:read contacts:write';
          return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
        },
      ],
      ['stripped signature', async () => `${(await forge({})).split('.').slice(0, 2).join('.')}.`],
      ['an unknown kid', () => forge({}, { kid: 'no-such-key' })],
      ['a path-traversal kid', () => forge({}, { kid: '../../dev/null' })],
      ['an SQL-injection kid', () => forge({}, { kid: "' OR 1=1--" })],
      [
        'an embedded jwk header',
        () => forge({}, { jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, kid: 'attacker' }),
      ],
      ['a jku header pointing elsewhere', () => forge({}, { jku: 'http://127.0.0.1:9/jwks', kid: 'attacker' })],
      [
        'an unknown crit header',
        () => signRaw({ alg: key.alg, kid: key.kid, typ: 'at+jwt', crit: ['exp-extension'], 'exp-extension': true }),
      ],
      ['a JWE', async () => 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aaaa.bbbb.cccc'],
      ["a 9 KB token (over the verifier's 8 KB cap)", async () => forge({ padding: 'p'.repeat(9_000) })],
      ['random text', async () => 'not-a-token'],
    ])('%s', async (_name, make) => {
      const response = await crm.bearer(await make());
      expectChallenge(response, 401, 'invalid_token');
    });
  });

  it('refuses a token living longer than the issuer grants, saying why, and accepts one living exactly that long', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = await crm.bearer(await forge({ iat: now, exp: now + MAX_ACCESS_TOKEN_LIFETIME_SECONDS + 1 }));
    expectChallenge(refused, 401, 'invalid_token');
    expect(refused.body.error_description).toBe(
      `The access token lives longer (exp - iat) than this issuer grants (${MAX_ACCESS_TOKEN_LIFETIME_SECONDS} s)`,
    );
    expect((await crm.bearer(await forge({ iat: now, exp: now + MAX_ACCESS_TOKEN_LIFETIME_SECONDS }))).status).toBe(
      200,
    );
  });

  it('refuses a 100 KB token in the HTTP parser, before any work (431)', async () => {
    const response = await crm.bearer(`${'a'.repeat(50_000)}.${'b'.repeat(50_000)}.c`);
    expect(response.status).toBe(431);
    expect((await crm.bearer(readToken)).status).toBe(200);
  });
});
