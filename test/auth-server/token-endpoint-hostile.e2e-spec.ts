import { ManualClock } from '@tollgate/platform';
import { decodeJwt, exportSPKI, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AuthServerHarness, basicAuthorization, type JsonResponse } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { clientAssertion, type ClientKey, generateClientKey, JWT_BEARER } from '../support/jose-forge.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const BILLING = 'https://billing.tollgate.test';
const UNGRANTED = 'https://ungranted.tollgate.test';

const CLIENT_AUTH_FAILED = { error: 'invalid_client', error_description: 'Client authentication failed' };
const BASIC_CHALLENGE = 'Basic realm="tollgate"';

function oauthError(error: string) {
  return { error, error_description: expect.any(String) };
}

function expectError(response: JsonResponse, status: number, error: string): void {
  expect({ status: response.status, body: response.body }).toEqual({ status, body: oauthError(error) });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
}

function expectClientAuthFailed(response: JsonResponse, challenge: boolean): void {
  expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: CLIENT_AUTH_FAILED });
  expect(response.headers.get('www-authenticate')).toBe(challenge ? BASIC_CHALLENGE : null);
}

function base64(value: string | Buffer): string {
  return Buffer.from(value).toString('base64');
}

interface Registered {
  id: string;
  secret: string;
}

describe.each(testDatabases())('token endpoint against hostile requests on $name', ({ create }) => {
  const clock = new ManualClock(Date.now());
  let server: AuthServerHarness;
  let basicClient: Registered;
  let postClient: Registered;
  let multiClient: Registered;
  let jwtClient: Registered;
  let jwtKey: ClientKey;

  const cc = { grant_type: 'client_credentials' };
  const asBasic = (params: Record<string, string> | string, headers: Record<string, string> = {}) =>
    server.form('/oauth/token', params, basicClient, headers);
  const asPost = (params: Record<string, string>) =>
    server.form('/oauth/token', { ...params, client_id: postClient.id, client_secret: postClient.secret });
  const withAssertion = (assertion: string, extra: Record<string, string> = {}) =>
    server.form('/oauth/token', {
      ...cc,
      client_id: jwtClient.id,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      ...extra,
    });
  const assertion = (options: Parameters<typeof clientAssertion>[3] = {}) =>
    clientAssertion(jwtKey, jwtClient.id, server.issuer, { now: clock.now(), ...options });

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create(), clock });
    await server.createResource(CRM, ['contacts:read', 'contacts:write', 'contacts:export'], { accessTokenTtl: 600 });
    await server.createResource(BILLING, ['invoices:read']);
    await server.createResource(UNGRANTED, ['anything']);
    basicClient = await server.createClient({
      id: 'a.b-c_d-basic',
      name: 'basic',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    postClient = await server.createClient({
      id: 'a.b-c_d',
      name: 'post',
      tokenEndpointAuthMethod: 'client_secret_post',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    multiClient = await server.createClient({
      name: 'multi',
      grants: [
        { resource: CRM, scopes: ['contacts:read'] },
        { resource: BILLING, scopes: ['invoices:read'] },
      ],
    });
    jwtKey = await generateClientKey('ES256');
    const jwt = await server.createClient({
      name: 'jwt',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [jwtKey.publicJwk] },
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    jwtClient = { id: jwt.id, secret: '' };
  });
  afterAll(() => server.stop());
  // Failure counters live in one-minute windows: start every test in a fresh window.
  beforeEach(() => clock.advance(61_000));

  describe('a well-formed request', () => {
    it('answers RFC 6749 §5.1: no-store, Bearer, numeric expires_in, scope, no refresh_token', async () => {
      const response = await asBasic(cc);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 600,
        scope: 'contacts:read contacts:write',
      });
      expect(decodeJwt(response.body.access_token)).toMatchObject({
        sub: basicClient.id,
        client_id: basicClient.id,
        aud: CRM,
        iat: Math.floor(clock.now().getTime() / 1000),
      });
    });

    it('accepts a charset parameter on the media type and a lower-case Basic scheme', async () => {
      const withCharset = await asBasic(cc, { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
      expect(withCharset.status).toBe(200);
      const lowerCase = await server.form('/oauth/token', cc, undefined, {
        authorization: basicAuthorization(basicClient.id, basicClient.secret).replace('Basic', 'basic'),
      });
      expect(lowerCase.status).toBe(200);
    });

    it('accepts a body client_id equal to the Basic one', async () => {
      expect((await asBasic({ ...cc, client_id: basicClient.id })).status).toBe(200);
    });
  });

  describe('request format', () => {
    it.each([
      ['JSON', 'application/json', JSON.stringify(cc), 400, 'invalid_request'],
      ['text', 'text/plain', 'grant_type=client_credentials', 400, 'invalid_request'],
      ['XML', 'application/xml', '<grant_type>client_credentials</grant_type>', 415, 'invalid_request'],
      [
        'multipart',
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n',
        415,
        'invalid_request',
      ],
    ])('refuses a %s body', async (_name, contentType, body, status, error) => {
      const response = await server.request('POST', '/oauth/token', {
        headers: { 'content-type': contentType, authorization: basicAuthorization(basicClient.id, basicClient.secret) },
        body,
      });
      expectError(response, status, error);
    });

    it('refuses a POST without a body', async () => {
      expectError(
        await server.request('POST', '/oauth/token', {
          headers: { authorization: basicAuthorization(basicClient.id, basicClient.secret) },
        }),
        400,
        'invalid_request',
      );
    });

    it.each(['GET', 'PUT', 'DELETE'])(
      'does not issue tokens on %s, even with every parameter in the URL',
      async (method) => {
        const query = new URLSearchParams({ ...cc, client_id: postClient.id, client_secret: postClient.secret });
        const response = await server.request(method, `/oauth/token?${query}`, {
          headers: { authorization: basicAuthorization(basicClient.id, basicClient.secret) },
        });
        expectError(response, 405, 'invalid_request');
        expect(response.headers.get('allow')).toBe('POST');
      },
    );
  });

  describe('parameters (RFC 6749 §3.2: none may be repeated)', () => {
    it.each([
      ['grant_type', 'grant_type=client_credentials&grant_type=client_credentials', 'invalid_request'],
      ['scope', 'grant_type=client_credentials&scope=contacts%3Aread&scope=contacts%3Awrite', 'invalid_request'],
      [
        'scope (same value)',
        'grant_type=client_credentials&scope=contacts%3Aread&scope=contacts%3Aread',
        'invalid_request',
      ],
      ['client_id', `grant_type=client_credentials&client_id=a&client_id=b`, 'invalid_request'],
      [
        'resource (RFC 8707: one at a time)',
        `grant_type=client_credentials&resource=${encodeURIComponent(CRM)}&resource=${encodeURIComponent(BILLING)}`,
        'invalid_target',
      ],
      [
        'resource (same value)',
        `grant_type=client_credentials&resource=${encodeURIComponent(CRM)}&resource=${encodeURIComponent(CRM)}`,
        'invalid_target',
      ],
    ])('refuses a repeated %s', async (_name, body, error) => {
      expectError(await asBasic(body), 400, error);
    });

    it('refuses a repeated client_secret or client_assertion', async () => {
      const secretTwice = `grant_type=client_credentials&client_id=${postClient.id}&client_secret=${postClient.secret}&client_secret=${postClient.secret}`;
      expectError(await server.form('/oauth/token', secretTwice), 400, 'invalid_request');
      const a = await assertion();
      const assertionTwice = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${a}&client_assertion=${a}`;
      expectError(await server.form('/oauth/token', assertionTwice), 400, 'invalid_request');
    });

    it('requires grant_type', async () => {
      expectError(await asBasic({ scope: 'contacts:read' }), 400, 'invalid_request');
      expectError(await asBasic({ grant_type: '' }), 400, 'invalid_request');
      expectError(await asBasic({ Grant_Type: 'client_credentials' }), 400, 'invalid_request');
    });

    it.each([
      'password',
      'authorization_code',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'CLIENT_CREDENTIALS',
      'client_credentials ',
    ])('answers unsupported_grant_type to an authenticated client for %j', async (grantType) => {
      expectError(
        await asBasic({ grant_type: grantType, username: 'u', password: 'p', code: 'c', refresh_token: 'r' }),
        400,
        'unsupported_grant_type',
      );
    });

    it('authenticates the client before looking at the grant type', async () => {
      expectClientAuthFailed(
        await server.form('/oauth/token', { grant_type: 'password' }, { id: basicClient.id, secret: 'tgs_wrong' }),
        true,
      );
    });
  });

  describe('client authentication (RFC 6749 §2.3, §5.2)', () => {
    it.each([
      ['nothing', {}, {}],
      ['a client_id alone (a public client)', { client_id: 'a.b-c_d-basic' }, {}],
      ['a Bearer token', {}, { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' }],
      ['the Basic scheme alone', {}, { authorization: 'Basic' }],
    ])('answers 401 invalid_client with a Basic challenge to %s', async (_name, params, headers) => {
      const response = await server.form('/oauth/token', { ...cc, ...params }, undefined, headers);
      expect({ status: response.status, body: response.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication is required' },
      });
      expect(response.headers.get('www-authenticate')).toBe(BASIC_CHALLENGE);
    });

    it('answers the same 401 for a wrong secret, an unknown client and another client’s secret (Basic)', async () => {
      // One character changed (never to itself: the secret is random).
      const typo = `${basicClient.secret.slice(0, -1)}${basicClient.secret.endsWith('x') ? 'y' : 'x'}`;
      expectClientAuthFailed(await server.form('/oauth/token', cc, { id: basicClient.id, secret: typo }), true);
      expectClientAuthFailed(
        await server.form('/oauth/token', cc, { id: basicClient.id, secret: 'not-a-tollgate-secret' }),
        true,
      );
      expectClientAuthFailed(await server.form('/oauth/token', cc, { id: basicClient.id, secret: '' }), true);
      expectClientAuthFailed(
        await server.form('/oauth/token', cc, { id: 'no-such-client', secret: basicClient.secret }),
        true,
      );
      expectClientAuthFailed(
        await server.form('/oauth/token', cc, { id: basicClient.id, secret: multiClient.secret }),
        true,
      );
      expectClientAuthFailed(
        await server.form('/oauth/token', cc, { id: basicClient.id, secret: 'x'.repeat(600) }),
        true,
      );
    });

    it('answers 401 without a challenge for a wrong secret in the body (client_secret_post)', async () => {
      expectClientAuthFailed(
        await server.form('/oauth/token', { ...cc, client_id: postClient.id, client_secret: `${postClient.secret}x` }),
        false,
      );
      expectClientAuthFailed(
        await server.form('/oauth/token', { ...cc, client_id: 'no-such-client', client_secret: postClient.secret }),
        false,
      );
    });

    it('refuses a method other than the registered one', async () => {
      expectClientAuthFailed(
        await server.form('/oauth/token', { ...cc, client_id: basicClient.id, client_secret: basicClient.secret }),
        false,
      );
      expectClientAuthFailed(await server.form('/oauth/token', cc, postClient), true);
      expectClientAuthFailed(
        await server.form('/oauth/token', {
          ...cc,
          client_assertion_type: JWT_BEARER,
          client_assertion: await clientAssertion(jwtKey, basicClient.id, server.issuer, { now: clock.now() }),
        }),
        false,
      );
      expectClientAuthFailed(
        await server.form('/oauth/token', cc, { id: jwtClient.id, secret: basicClient.secret }),
        true,
      );
    });

    it('refuses a disabled client, and accepts it again once enabled', async () => {
      const client = await server.createClient({
        name: 'to disable',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      expect((await server.api('PATCH', `/api/clients/${client.id}`, { disabled: true })).status).toBe(200);
      expectClientAuthFailed(await server.form('/oauth/token', cc, client), true);
      expect((await server.api('PATCH', `/api/clients/${client.id}`, { disabled: false })).status).toBe(200);
      expect((await server.form('/oauth/token', cc, client)).status).toBe(200);
    });

    it('refuses an expired secret', async () => {
      const client = await server.createClient({
        name: 'short-lived secret',
        secretExpiresInDays: 1,
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      clock.advance(86_400_000 - 1000);
      expect((await server.form('/oauth/token', cc, client)).status).toBe(200);
      clock.advance(1000);
      expectClientAuthFailed(await server.form('/oauth/token', cc, client), true);
    });

    it.each([
      [
        'Basic and client_secret',
        (): [Record<string, string>, Registered | undefined] => [
          { ...cc, client_secret: basicClient.secret },
          basicClient,
        ],
      ],
      [
        'Basic and a different body client_id',
        (): [Record<string, string>, Registered | undefined] => [{ ...cc, client_id: postClient.id }, basicClient],
      ],
      [
        'Basic and another client’s body credentials',
        (): [Record<string, string>, Registered | undefined] => [
          { ...cc, client_id: postClient.id, client_secret: postClient.secret },
          basicClient,
        ],
      ],
      [
        'client_secret without client_id',
        (): [Record<string, string>, Registered | undefined] => [
          { ...cc, client_secret: postClient.secret },
          undefined,
        ],
      ],
    ])('answers invalid_request to %s', async (_name, make) => {
      const [params, auth] = make();
      expectError(await server.form('/oauth/token', params, auth), 400, 'invalid_request');
    });

    it('answers invalid_request to a secret and an assertion together', async () => {
      const a = await assertion();
      expectError(
        await server.form(
          '/oauth/token',
          { ...cc, client_assertion_type: JWT_BEARER, client_assertion: a },
          basicClient,
        ),
        400,
        'invalid_request',
      );
      expectError(
        await server.form('/oauth/token', {
          ...cc,
          client_id: jwtClient.id,
          client_secret: postClient.secret,
          client_assertion_type: JWT_BEARER,
          client_assertion: a,
        }),
        400,
        'invalid_request',
      );
    });
  });

  describe('NUL characters (PostgreSQL text cannot hold them)', () => {
    it.each([
      ['client_id', { client_id: 'a.b-c_d\u0000', client_secret: 'tgs_x' }],
      ['client_secret', { client_id: 'a.b-c_d', client_secret: 'tgs_\u0000' }],
      ['scope', { scope: 'contacts:read\u0000' }],
      ['resource', { resource: `${CRM}/\u0000` }],
      ['a parameter name', { 'x\u0000': '1' }],
    ])('answers 400 invalid_request to a NUL in %s, never 500', async (_name, params) => {
      expectError(await server.form('/oauth/token', { ...cc, ...params }), 400, 'invalid_request');
    });

    it('answers 400 invalid_request to a NUL in the iss naming the client of an assertion', async () => {
      const assertion = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'a\u0000b' })).toString('base64url')}.c2ln`;
      expectError(
        await server.form('/oauth/token', { ...cc, client_assertion_type: JWT_BEARER, client_assertion: assertion }),
        400,
        'invalid_request',
      );
    });
  });

  describe('malformed Basic headers', () => {
    it.each([
      ['not base64', 'Basic !!!not-base64!!!'],
      ['base64 with inner spaces', `Basic ${base64('abc:def').slice(0, 4)} ${base64('abc:def').slice(4)}`],
      ['bad padding', 'Basic YWJj==='],
      ['no colon', `Basic ${base64('just-a-client-id')}`],
      ['an empty client id', `Basic ${base64(':tgs_secret')}`],
      ['only a colon', `Basic ${base64(':')}`],
      ['bad percent-encoding in the id', `Basic ${base64('client%ZZ:secret')}`],
      ['bad percent-encoding in the secret', `Basic ${base64('client:secret%')}`],
      ['a truncated UTF-8 escape', `Basic ${base64('client:%E2%82')}`],
      ['bytes that are not UTF-8', `Basic ${base64(Buffer.from([0xff, 0xfe, 0x3a, 0x80, 0x81]))}`],
      ['a non-ASCII client id (RFC 6749 A.1: VSCHAR)', `Basic ${base64('clïent:secret')}`],
      ['a NUL in the client id', `Basic ${base64('client%00:secret')}`],
      ['a control character in the client id', `Basic ${base64('cli\nent:secret')}`],
    ])('answers 400 invalid_request to %s', async (_name, authorization) => {
      expectError(await server.form('/oauth/token', cc, undefined, { authorization }), 400, 'invalid_request');
    });

    it.each([
      ['three parts (the secret holds a colon)', `Basic ${base64('a.b-c_d-basic:a:b')}`],
      ['a 10 KB client id', `Basic ${base64(`${'x'.repeat(10_000)}:secret`)}`],
    ])('answers 401 invalid_client, never 500, to %s', async (_name, authorization) => {
      const response = await server.form('/oauth/token', cc, undefined, { authorization });
      expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: CLIENT_AUTH_FAILED });
    });
  });

  describe('client ids and secrets with special characters', () => {
    it('accepts the client id a.b-c_d with client_secret_post and with client_secret_basic', async () => {
      const post = await asPost(cc);
      expect(post.status).toBe(200);
      expect(decodeJwt(post.body.access_token)).toMatchObject({ sub: 'a.b-c_d', client_id: 'a.b-c_d' });
      const basic = await asBasic(cc);
      expect(basic.status).toBe(200);
      expect(decodeJwt(basic.body.access_token)).toMatchObject({ sub: 'a.b-c_d-basic' });
    });

    describe('a client id with ":" and a secret with reserved characters (RFC 6749 Appendix B)', () => {
      const id = 'ops:admin.root';
      const secret = 'p%20ss:w+rd&=/?#é☃ "\'\\ ~0123456789abcdefghijklmnop';
      let special: AuthServerHarness;

      beforeAll(async () => {
        special = await AuthServerHarness.start({
          env: { BOOTSTRAP_ADMIN_CLIENT_ID: id, BOOTSTRAP_ADMIN_CLIENT_SECRET: secret },
        });
      });
      afterAll(() => special.stop());

      it('works with both halves form-encoded before base64', async () => {
        const response = await special.form('/oauth/token', cc, undefined, {
          authorization: basicAuthorization(id, secret),
        });
        expect(response.status).toBe(200);
        expect(decodeJwt(response.body.access_token)).toMatchObject({ sub: id, client_id: id, scope: 'admin' });
        const percentEncoded = `Basic ${base64(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
        expect((await special.form('/oauth/token', cc, undefined, { authorization: percentEncoded })).status).toBe(200);
      });

      it('does not match when the halves are sent unencoded', async () => {
        const response = await special.form('/oauth/token', cc, undefined, {
          authorization: `Basic ${base64(`${id}:${secret}`)}`,
        });
        expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: CLIENT_AUTH_FAILED });
      });

      it('works with client_secret_post', async () => {
        await special.dataSource
          .createQueryBuilder()
          .update('clients')
          .set({ tokenEndpointAuthMethod: 'client_secret_post' })
          .where('id = :id', { id })
          .execute();
        const response = await special.form('/oauth/token', { ...cc, client_id: id, client_secret: secret });
        expect(response.status).toBe(200);
        expect(decodeJwt(response.body.access_token)).toMatchObject({ sub: id });
        expectClientAuthFailed(
          await special.form('/oauth/token', { ...cc, client_id: id, client_secret: secret.replace('é', 'e') }),
          false,
        );
      });
    });
  });

  describe('scope (RFC 6749 §3.3)', () => {
    it.each([
      [undefined, 'contacts:read contacts:write'],
      ['', 'contacts:read contacts:write'],
      ['contacts:write', 'contacts:write'],
      ['contacts:write contacts:read', 'contacts:write contacts:read'],
      ['contacts:read contacts:read', 'contacts:read'],
    ])('grants %j as %j', async (scope, granted) => {
      const response = await asBasic(scope === undefined ? cc : { ...cc, scope });
      expect({ status: response.status, body: response.body }).toEqual({
        status: 200,
        body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: granted },
      });
      expect(decodeJwt(response.body.access_token).scope).toBe(granted);
    });

    it.each([
      ['a scope the resource does not define', 'contacts:delete'],
      ['a scope of the resource not granted to the client', 'contacts:export'],
      ['a scope of another resource', 'invoices:read'],
      ['one granted and one not', 'contacts:read contacts:export'],
      ['a management API scope', 'admin'],
    ])('refuses %s with invalid_scope', async (_name, scope) => {
      expectError(await asBasic({ ...cc, scope }), 400, 'invalid_scope');
    });

    it.each([
      ['two spaces', 'contacts:read  contacts:write'],
      ['a leading space', ' contacts:read'],
      ['a trailing space', 'contacts:read '],
      ['a tab', 'contacts:read\tcontacts:write'],
      ['a newline', 'contacts:read\ncontacts:write'],
      ['a double quote', 'contacts:"read'],
      ['a backslash', 'contacts:\\read'],
      ['a non-ASCII character', 'contacts:réad'],
      ['a DEL', 'contacts:read\u007f'],
      ['5,000 characters', 'a'.repeat(5000)],
    ])('refuses a scope outside NQCHAR (%s) with invalid_scope', async (_name, scope) => {
      expectError(await asBasic({ ...cc, scope }), 400, 'invalid_scope');
    });

    it('refuses a client that holds no scope on its resource', async () => {
      const client = await server.createClient({ name: 'no scopes', grants: [{ resource: CRM, scopes: [] }] });
      expectError(await server.form('/oauth/token', cc, client), 400, 'invalid_scope');
    });
  });

  describe('resource (RFC 8707)', () => {
    it('issues a token for the named resource, or the only one granted', async () => {
      const named = await server.form('/oauth/token', { ...cc, resource: BILLING }, multiClient);
      expect({ status: named.status, body: named.body }).toEqual({
        status: 200,
        body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'invoices:read' },
      });
      expect(decodeJwt(named.body.access_token).aud).toBe(BILLING);
      expect(decodeJwt((await asBasic({ ...cc, resource: CRM })).body.access_token).aud).toBe(CRM);
      expect(decodeJwt((await asBasic(cc)).body.access_token).aud).toBe(CRM);
    });

    it('requires a resource when the client has several', async () => {
      expectError(await server.form('/oauth/token', cc, multiClient), 400, 'invalid_target');
      expectError(
        await server.form('/oauth/token', { ...cc, scope: 'invoices:read' }, multiClient),
        400,
        'invalid_target',
      );
    });

    it.each([
      ['relative', '/contacts'],
      ['a bare host', 'crm.tollgate.test'],
      ['with a fragment', `${CRM}#contacts`],
      ['with an empty fragment', `${CRM}#`],
      ['with a query', `${CRM}?tenant=1`],
      ['unknown', 'https://unknown.tollgate.test'],
      ['registered but not granted', UNGRANTED],
      ['the management API, not granted', 'MANAGEMENT_API'],
      ['with a trailing slash', `${CRM}/`],
      ['with a different case', CRM.toUpperCase()],
      ['over 255 characters', `https://crm.tollgate.test/${'a'.repeat(300)}`],
      ['not a URI at all', '\u0001\u0002'],
    ])('refuses a resource that is %s with invalid_target', async (_name, resource) => {
      expectError(
        await asBasic({ ...cc, resource: resource === 'MANAGEMENT_API' ? server.managementApi : resource }),
        400,
        'invalid_target',
      );
    });

    it('refuses a client with no grants', async () => {
      const client = await server.createClient({ name: 'no grants', grants: [] });
      expectError(await server.form('/oauth/token', cc, client), 400, 'invalid_target');
    });
  });

  describe('private_key_jwt (RFC 7523)', () => {
    it('accepts an assertion whose aud is the issuer, the token endpoint, or a list naming the issuer', async () => {
      for (const aud of [server.issuer, `${server.issuer}/oauth/token`, ['https://other.example', server.issuer]]) {
        const response = await withAssertion(await assertion({ claims: { aud } }));
        expect({ aud, status: response.status }).toEqual({ aud, status: 200 });
        expect(decodeJwt(response.body.access_token)).toMatchObject({ sub: jwtClient.id, client_id: jwtClient.id });
      }
    });

    it('identifies the client by the assertion’s iss when client_id is absent', async () => {
      const response = await server.form('/oauth/token', {
        ...cc,
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(),
      });
      expect(response.status).toBe(200);
    });

    it('accepts an exp up to 10 minutes ahead', async () => {
      const now = Math.floor(clock.now().getTime() / 1000);
      expect((await withAssertion(await assertion({ claims: { exp: now + 590 } }))).status).toBe(200);
    });

    it('refuses a replayed assertion, and a new assertion reusing a jti', async () => {
      const once = await assertion();
      expect((await withAssertion(once)).status).toBe(200);
      expectClientAuthFailed(await withAssertion(once), false);
      const jti = decodeJwt(once).jti;
      expectClientAuthFailed(
        await withAssertion(await assertion({ claims: { jti, exp: Math.floor(clock.now().getTime() / 1000) + 120 } })),
        false,
      );
    });

    it('accepts one of several concurrent uses of the same assertion', async () => {
      const once = await assertion();
      const responses = await Promise.all(Array.from({ length: 6 }, () => withAssertion(once)));
      expect(responses.map((response) => response.status).sort()).toEqual([200, 401, 401, 401, 401, 401]);
    });

    it('refuses a jti replayed at another endpoint of this server', async () => {
      const once = await assertion();
      const introspection = await server.form('/oauth/introspect', {
        token: 'x',
        client_id: jwtClient.id,
        client_assertion_type: JWT_BEARER,
        client_assertion: once,
      });
      expect(introspection.status).toBe(200);
      expectClientAuthFailed(await withAssertion(once), false);
    });

    const now = () => Math.floor(clock.now().getTime() / 1000);
    it.each([
      ['a foreign aud', () => ({ claims: { aud: 'https://evil.example' } })],
      ['the introspection endpoint as aud', () => ({ claims: { aud: `${server.issuer}/oauth/introspect` } })],
      ['the issuer with a trailing slash as aud', () => ({ claims: { aud: `${server.issuer}/` } })],
      ['no aud', () => ({ claims: { aud: undefined } })],
      ['no exp', () => ({ claims: { exp: undefined } })],
      ['an exp an hour ahead', () => ({ claims: { exp: now() + 3600 } })],
      ['an exp 11 minutes ahead', () => ({ claims: { exp: now() + 660 } })],
      ['an exp in the past', () => ({ claims: { exp: now() - 60 } })],
      ['an nbf in the future', () => ({ claims: { nbf: now() + 60 } })],
      ['no jti', () => ({ claims: { jti: undefined } })],
      ['a numeric jti', () => ({ claims: { jti: 12345 } })],
      ['a 200-character jti', () => ({ claims: { jti: 'j'.repeat(200) } })],
      ['iss ≠ client_id', () => ({ claims: { iss: basicClient.id } })],
      ['sub ≠ client_id', () => ({ claims: { sub: basicClient.id } })],
      ['no sub', () => ({ claims: { sub: undefined } })],
      ['an unknown kid', () => ({ header: { kid: 'someone-else' } })],
      ['an 8 KB claim', () => ({ claims: { pad: 'p'.repeat(9000) } })],
    ])('refuses an assertion with %s', async (_name, options) => {
      expectClientAuthFailed(await withAssertion(await assertion(options())), false);
    });

    it('refuses an unsigned assertion (alg none)', async () => {
      const unsigned = new UnsecuredJWT({ jti: randomUUID() })
        .setIssuer(jwtClient.id)
        .setSubject(jwtClient.id)
        .setAudience(server.issuer)
        .setIssuedAt(now())
        .setExpirationTime(now() + 60)
        .encode();
      expectClientAuthFailed(await withAssertion(unsigned), false);
      expectClientAuthFailed(
        await server.form('/oauth/token', { ...cc, client_assertion_type: JWT_BEARER, client_assertion: unsigned }),
        false,
      );
    });

    it('refuses an assertion signed with HS256 keyed with the client’s public key', async () => {
      const publicKey = await importJWK(jwtKey.publicJwk, 'ES256');
      const pem = await exportSPKI(publicKey as CryptoKey);
      for (const secret of [pem, JSON.stringify(jwtKey.publicJwk), jwtKey.publicJwk.x!]) {
        const forged = await new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256', kid: jwtKey.kid })
          .setIssuer(jwtClient.id)
          .setSubject(jwtClient.id)
          .setAudience(server.issuer)
          .setIssuedAt(now())
          .setExpirationTime(now() + 60)
          .sign(new TextEncoder().encode(secret));
        expectClientAuthFailed(await withAssertion(forged), false);
      }
    });

    it('refuses an assertion signed by a key the client did not register (same kid)', async () => {
      const other = await generateClientKey('ES256');
      const forged = await clientAssertion({ ...other, kid: jwtKey.kid }, jwtClient.id, server.issuer, {
        now: clock.now(),
      });
      expectClientAuthFailed(await withAssertion(forged), false);
    });

    it('refuses a tampered assertion and garbage', async () => {
      const [header, , signature] = (await assertion()).split('.');
      const payload = Buffer.from(
        JSON.stringify({
          iss: jwtClient.id,
          sub: jwtClient.id,
          aud: server.issuer,
          exp: now() + 60,
          jti: randomUUID(),
        }),
      ).toString('base64url');
      expectClientAuthFailed(await withAssertion(`${header}.${payload}.${signature}`), false);
      expectClientAuthFailed(await withAssertion(`${header}.${payload}.`), false);
      expectClientAuthFailed(await withAssertion('not-a-jwt'), false);
    });

    it.each([
      ['a wrong client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'],
      ['no client_assertion_type', ''],
      ['a client_assertion_type differing in case', JWT_BEARER.toUpperCase()],
    ])('answers invalid_request to %s', async (_name, type) => {
      const response = await server.form('/oauth/token', {
        ...cc,
        client_id: jwtClient.id,
        client_assertion_type: type,
        client_assertion: await assertion(),
      });
      expectError(response, 400, 'invalid_request');
    });

    it('answers invalid_request to a client_assertion_type without an assertion, or an assertion naming no client', async () => {
      expectError(
        await server.form('/oauth/token', { ...cc, client_id: jwtClient.id, client_assertion_type: JWT_BEARER }),
        400,
        'invalid_request',
      );
      expectError(
        await server.form('/oauth/token', { ...cc, client_assertion_type: JWT_BEARER, client_assertion: 'garbage' }),
        400,
        'invalid_request',
      );
    });
  });
});

describe.each(testDatabases())('throttling of failed client authentication on $name', ({ create }) => {
  const clock = new ManualClock(Date.now());
  let server: AuthServerHarness;
  let victim: Registered;
  let bystander: Registered;

  const from = (address: string) => ({ 'x-forwarded-for': address });
  const cc = { grant_type: 'client_credentials' };

  beforeAll(async () => {
    // Behind a proxy, X-Forwarded-For carries the caller's address.
    server = await AuthServerHarness.start({ database: await create(), clock, env: { TRUST_PROXY: 'true' } });
    await server.createResource(CRM, ['contacts:read'], { accessTokenTtl: 600 });
    victim = await server.createClient({ name: 'victim', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    bystander = await server.createClient({
      name: 'bystander',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
  });
  afterAll(() => server.stop());

  function expectThrottled(response: JsonResponse, retryAfter: number): void {
    expect({ status: response.status, body: response.body }).toEqual({
      status: 429,
      body: {
        error: 'temporarily_unavailable',
        error_description: `Too many failed client authentications; retry in ${retryAfter} s`,
      },
    });
    expect(response.headers.get('retry-after')).toBe(String(retryAfter));
  }

  it('answers 429 to a client id’s failures from an address past 10 in a minute; its right secret still gets a token, there and elsewhere', async () => {
    clock.advance(120_000);
    const started = clock.now();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(
        (
          await server.form(
            '/oauth/token',
            cc,
            { id: victim.id, secret: `wrong-secret-${attempt}` },
            from('203.0.113.1'),
          )
        ).status,
      ).toBe(401);
    }
    expectThrottled(
      await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('203.0.113.1')),
      60,
    );
    expectThrottled(
      await server.form(
        '/oauth/introspect',
        { token: 'x' },
        { id: victim.id, secret: 'tgs_wrong' },
        from('203.0.113.1'),
      ),
      60,
    );
    // The throttle limits failures, not successes: the right secret is checked first (issue 11).
    expect((await server.form('/oauth/token', cc, victim, from('203.0.113.1'))).status).toBe(200);
    expect((await server.form('/oauth/introspect', { token: 'x' }, victim, from('203.0.113.1'))).status).toBe(200);
    expect((await server.form('/oauth/token', cc, victim, from('198.51.100.7'))).status).toBe(200);
    clock.advance(45_000);
    expectThrottled(
      await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('203.0.113.1')),
      15,
    );
    // Other addresses' failures for that client id are not refused yet (13 < 100).
    expect(
      (await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('198.51.100.7'))).status,
    ).toBe(401);

    // A good client is unaffected, from another address and from the attacker's (13 < 50).
    expect((await server.form('/oauth/token', cc, bystander, from('198.51.100.7'))).status).toBe(200);
    expect((await server.form('/oauth/token', cc, bystander, from('203.0.113.1'))).status).toBe(200);

    // Failures answered 429 are not audited: exactly the 11 answered 401 are (in the background, after the answer).
    const auditedFailures = async () =>
      (
        await server.api(
          'GET',
          `/api/audit?action=client.auth.failed&credential=${victim.id}&since=${started.toISOString()}`,
        )
      ).body.items;
    await eventually(async () => expect(await auditedFailures()).toHaveLength(11));
    expect((await auditedFailures()).at(-1)).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous', id: null },
      credential: { type: 'client', id: victim.id },
      address: '203.0.113.1',
      reason: 'wrong secret',
    });

    clock.advance(15_000);
    expect(
      (await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('203.0.113.1'))).status,
    ).toBe(401);
  });

  it('answers 429 to a client id’s failures from every address past 100 in a minute; its right secret still gets a token', async () => {
    clock.advance(120_000);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      expect(
        (
          await server.form(
            '/oauth/token',
            cc,
            { id: victim.id, secret: 'tgs_wrong' },
            from(`198.18.${Math.floor(attempt / 5)}.${attempt % 5}`),
          )
        ).status,
      ).toBe(401);
    }
    expectThrottled(
      await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('192.0.2.200')),
      60,
    );
    expect((await server.form('/oauth/token', cc, victim, from('192.0.2.200'))).status).toBe(200);
    expect((await server.form('/oauth/token', cc, victim, from('198.18.0.0'))).status).toBe(200);
    expect(
      (await server.form('/oauth/token', cc, { id: bystander.id, secret: 'tgs_wrong' }, from('192.0.2.200'))).status,
    ).toBe(401);
    clock.advance(60_000);
    expect(
      (await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('192.0.2.200'))).status,
    ).toBe(401);
  });

  it('answers 429 to an address’s failures past 50 in a minute, whatever the client ids, and only that address’s', async () => {
    clock.advance(120_000);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect(
        (await server.form('/oauth/token', cc, { id: `guess-${attempt}`, secret: 'tgs_guess' }, from('192.0.2.66')))
          .status,
      ).toBe(401);
    }
    expectThrottled(
      await server.form('/oauth/token', cc, { id: bystander.id, secret: 'tgs_wrong' }, from('192.0.2.66')),
      60,
    );
    expectThrottled(
      await server.form(
        '/oauth/token',
        { ...cc, client_id: 'guess-x', client_secret: 'tgs_x' },
        undefined,
        from('192.0.2.66'),
      ),
      60,
    );
    // Clients behind that address (a shared NAT) still get their tokens.
    expect((await server.form('/oauth/token', cc, bystander, from('192.0.2.66'))).status).toBe(200);
    expect(
      (await server.form('/oauth/token', cc, { id: bystander.id, secret: 'tgs_wrong' }, from('192.0.2.67'))).status,
    ).toBe(401);
    clock.advance(60_000);
    expect(
      (await server.form('/oauth/token', cc, { id: bystander.id, secret: 'tgs_wrong' }, from('192.0.2.66'))).status,
    ).toBe(401);
  });

  it('issues tokens whatever X-Forwarded-For holds (the audit keeps 64 characters of it)', async () => {
    const address = `2001:db8::1%${'z'.repeat(100)}`;
    const issued = await server.form('/oauth/token', cc, bystander, from(address));
    expect(issued.status).toBe(200);
    expect(
      (await server.form('/oauth/token', cc, { id: bystander.id, secret: 'wrong-secret' }, from('x'.repeat(200))))
        .status,
    ).toBe(401);
    const audit = await server.api('GET', `/api/audit?credential=${decodeJwt(issued.body.access_token).jti}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'token.issued', address: address.slice(0, 64) }),
    ]);
  });

  it('does not count successes or requests refused before authentication', async () => {
    clock.advance(120_000);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      expect((await server.form('/oauth/token', cc, victim, from('203.0.113.9'))).status).toBe(200);
      expect((await server.form('/oauth/token', `grant_type=a&grant_type=b`, victim, from('203.0.113.9'))).status).toBe(
        400,
      );
    }
    for (let attempt = 0; attempt < 9; attempt += 1) {
      expect(
        (await server.form('/oauth/token', cc, { id: victim.id, secret: 'tgs_wrong' }, from('203.0.113.9'))).status,
      ).toBe(401);
    }
    expect((await server.form('/oauth/token', cc, victim, from('203.0.113.9'))).status).toBe(200);
  });
});
