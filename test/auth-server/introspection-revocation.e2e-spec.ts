import { ManualClock } from '@tollgate/platform';
import { decodeJwt } from 'jose';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  type JsonResponse,
} from '../support/auth-server.harness.js';
import { clientAssertion, generateClientKey, JWT_BEARER } from '../support/jose-forge.js';
import { testDatabases } from '../support/test-databases.js';
import { expectInvalidToken } from '../support/problem-answers.js';

const CRM = 'https://crm.tollgate.test';
const INACTIVE = '{"active":false}';

interface Registered {
  id: string;
  secret: string;
}

describe.each(testDatabases())('introspection (RFC 7662) and revocation (RFC 7009) on $name', ({ create }) => {
  const clock = new ManualClock(Date.now());
  let server: AuthServerHarness;
  let alice: Registered;
  let bob: Registered;
  let resourceServer: Registered;
  const admin = { id: ADMIN_CLIENT_ID, secret: ADMIN_CLIENT_SECRET };

  const introspect = (token: string, caller: Registered, extra: Record<string, string> = {}) =>
    server.form('/oauth/introspect', { token, ...extra }, caller);
  const revoke = (token: string, caller: Registered, extra: Record<string, string> = {}) =>
    server.form('/oauth/revoke', { token, ...extra }, caller);
  const tokenFor = (client: Registered) => server.token(client.id, client.secret);

  /** The exact RFC 7662 §2.2 answer for a token that must reveal nothing. */
  async function expectInactive(response: Promise<JsonResponse> | JsonResponse): Promise<void> {
    const answered = await response;
    expect(answered.status).toBe(200);
    expect(answered.headers.get('cache-control')).toBe('no-store');
    expect(JSON.stringify(answered.body)).toBe(INACTIVE);
  }

  async function expectRevocationAccepted(response: Promise<JsonResponse>): Promise<void> {
    const answered = await response;
    expect({ status: answered.status, body: answered.body }).toEqual({ status: 200, body: '' });
  }

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create(), clock });
    await server.createResource(CRM, ['contacts:read', 'contacts:write'], { accessTokenTtl: 600 });
    alice = await server.createClient({ name: 'alice', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    bob = await server.createClient({
      name: 'bob',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    resourceServer = await server.createClient({
      name: 'crm',
      grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => clock.advance(61_000));

  describe('introspection', () => {
    it('requires client authentication (RFC 7662 §2.1)', async () => {
      const token = await tokenFor(alice);
      const anonymous = await server.form('/oauth/introspect', { token });
      expect({ status: anonymous.status, body: anonymous.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication is required' },
      });
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="tollgate"');

      const wrongSecret = await server.form('/oauth/introspect', { token }, { id: alice.id, secret: bob.secret });
      expect({ status: wrongSecret.status, body: wrongSecret.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      });
      expect(wrongSecret.headers.get('www-authenticate')).toBe('Basic realm="tollgate"');

      // A bearer token is not client authentication, not even the token being introspected.
      const bearer = await server.form('/oauth/introspect', { token }, undefined, { authorization: `Bearer ${token}` });
      expect(bearer.status).toBe(401);
    });

    it('answers a client about its own token with its claims', async () => {
      const token = await tokenFor(alice);
      const claims = decodeJwt(token);
      const response = await introspect(token, alice, { token_type_hint: 'access_token' });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        active: true,
        token_type: 'Bearer',
        scope: 'contacts:read',
        client_id: alice.id,
        sub: alice.id,
        aud: CRM,
        iss: server.issuer,
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti,
      });
    });

    it('treats token_type_hint as a hint only', async () => {
      const token = await tokenFor(alice);
      expect((await introspect(token, alice, { token_type_hint: 'refresh_token' })).body).toMatchObject({
        active: true,
      });
      expect((await introspect(token, alice, { token_type_hint: 'nonsense' })).body).toMatchObject({ active: true });
    });

    it('answers exactly {"active":false} to a client asking about another client’s token', async () => {
      await expectInactive(introspect(await tokenFor(alice), bob));
    });

    it('lets a resource server granted tokens:introspect introspect any client’s token', async () => {
      const token = await tokenFor(alice);
      expect((await introspect(token, resourceServer)).body).toMatchObject({
        active: true,
        client_id: alice.id,
        scope: 'contacts:read',
        aud: CRM,
      });
      expect((await introspect(await server.admin(), resourceServer)).body).toMatchObject({
        active: true,
        client_id: ADMIN_CLIENT_ID,
        scope: 'admin',
      });
    });

    it('does not let the admin scope stand in for tokens:introspect', async () => {
      await expectInactive(introspect(await tokenFor(alice), admin));
    });

    it.each([
      ['garbage', 'garbage'],
      ['a JWT-shaped string', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
      ['a client secret', 'tgs_0000000000000000000000000000000000000000000000000'],
      ['an unsigned JWT', 'eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.'],
      ['a 100 KB string', 'a'.repeat(90_000)],
    ])('answers exactly {"active":false} to %s', async (_name, token) => {
      await expectInactive(introspect(token, resourceServer));
    });

    it('answers exactly {"active":false} to a tampered token', async () => {
      const [header, payload, signature] = (await tokenFor(alice)).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'contacts:read contacts:write' })).toString(
        'base64url',
      );
      await expectInactive(introspect(`${header}.${widened}.${signature}`, alice));
      await expectInactive(introspect(`${header}.${payload}.`, alice));
    });

    it('answers exactly {"active":false} to an expired token', async () => {
      const token = await tokenFor(alice);
      clock.advance(600_000 - 1000);
      expect((await introspect(token, alice)).body).toMatchObject({ active: true });
      clock.advance(7000);
      await expectInactive(introspect(token, alice));
      await expectInactive(introspect(token, resourceServer));
    });

    it('answers exactly {"active":false} once the client is disabled, its tokens revoked, or it is deleted', async () => {
      const carol = await server.createClient({
        name: 'carol',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const token = await tokenFor(carol);
      expect((await server.api('PATCH', `/api/clients/${carol.id}`, { disabled: true })).status).toBe(200);
      await expectInactive(introspect(token, resourceServer));
      // Re-enabling does not revive tokens issued before the client was disabled (as resource servers fed by the revocation feed see it).
      expect((await server.api('PATCH', `/api/clients/${carol.id}`, { disabled: false })).status).toBe(200);
      await expectInactive(introspect(token, resourceServer));
      const afterEnable = await tokenFor(carol);
      expect((await introspect(afterEnable, resourceServer)).body).toMatchObject({ active: true });

      clock.advance(1000);
      expect((await server.api('POST', `/api/clients/${carol.id}/revoke-tokens`)).status).toBe(200);
      await expectInactive(introspect(afterEnable, resourceServer));
      clock.advance(1000);
      const fresh = await tokenFor(carol);
      expect((await introspect(fresh, resourceServer)).body).toMatchObject({ active: true });

      expect((await server.api('DELETE', `/api/clients/${carol.id}`)).status).toBe(204);
      await expectInactive(introspect(fresh, resourceServer));
    });

    it('answers a client using private_key_jwt', async () => {
      const key = await generateClientKey('ES256');
      const dave = await server.createClient({
        name: 'dave',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const assertion = () => clientAssertion(key, dave.id, server.issuer, { now: clock.now() });
      const issued = await server.form('/oauth/token', {
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(),
      });
      const response = await server.form('/oauth/introspect', {
        token: issued.body.access_token,
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(),
      });
      expect(response.body).toMatchObject({ active: true, client_id: dave.id });
    });

    it.each([
      ['no token', 'resource=x', 400, 'invalid_request'],
      ['an empty token', 'token=', 400, 'invalid_request'],
      ['a repeated token', 'token=a&token=b', 400, 'invalid_request'],
      ['a NUL in the token', 'token=a%00b', 400, 'invalid_request'],
    ])('answers %s with %i %s', async (_name, body, status, error) => {
      const response = await server.form('/oauth/introspect', body, alice);
      expect({ status: response.status, body: response.body }).toEqual({
        status,
        body: { error, error_description: expect.any(String) },
      });
    });

    it('refuses JSON and GET', async () => {
      const json = await server.request('POST', '/oauth/introspect', {
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${alice.id}:${alice.secret}`).toString('base64')}`,
        },
        body: JSON.stringify({ token: 'x' }),
      });
      expect({ status: json.status, body: json.body }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: expect.any(String) },
      });
      const get = await server.request('GET', '/oauth/introspect?token=x');
      expect({ status: get.status, allow: get.headers.get('allow'), error: get.body.error }).toEqual({
        status: 405,
        allow: 'POST',
        error: 'invalid_request',
      });
    });
  });

  describe('revocation', () => {
    it('requires client authentication', async () => {
      const token = await tokenFor(alice);
      const anonymous = await server.form('/oauth/revoke', { token });
      expect({ status: anonymous.status, body: anonymous.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication is required' },
      });
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="tollgate"');
      const wrongSecret = await server.form('/oauth/revoke', { token }, { id: alice.id, secret: bob.secret });
      expect({ status: wrongSecret.status, body: wrongSecret.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      });
      expect((await introspect(token, alice)).body).toMatchObject({ active: true });
    });

    it('answers 400 invalid_request without a token', async () => {
      const response = await server.form('/oauth/revoke', { token_type_hint: 'access_token' }, alice);
      expect({ status: response.status, body: response.body }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'token is required' },
      });
    });

    it('revokes a client’s own token: inactive at introspection, audited', async () => {
      const token = await tokenFor(alice);
      const jti = decodeJwt(token).jti!;
      await expectRevocationAccepted(revoke(token, alice, { token_type_hint: 'access_token' }));
      await expectInactive(introspect(token, alice));
      await expectInactive(introspect(token, resourceServer));
      const revokedAt = clock.now().toISOString();
      // Revoking again changes nothing (the first revocation stands) and still answers 200.
      clock.advance(1000);
      await expectRevocationAccepted(revoke(token, alice));
      await expectInactive(introspect(token, alice));

      const audit = await server.api('GET', `/api/audit?credential=${jti}&action=token.revoked`);
      expect(audit.body.items).toEqual([
        expect.objectContaining({
          action: 'token.revoked',
          outcome: 'success',
          occurredAt: revokedAt,
          actor: { type: 'client', id: alice.id },
          credential: { type: 'access_token', id: jti },
        }),
      ]);
      const rows = await server.dataSource
        .createQueryBuilder()
        .select('r.revokedAt', 'revokedAt')
        .from('revoked_tokens', 'r')
        .where('r.jti = :jti', { jti })
        .getRawMany();
      expect(rows.map((row) => new Date(row.revokedAt).toISOString())).toEqual([revokedAt]);
    });

    it.each([
      ['an unknown string', () => 'no-such-token'],
      ['a client secret', () => 'tgs_0000000000000000000000000000000000000000000000000'],
      ['a JWT signed by someone else', () => 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ])('answers 200 to %s (RFC 7009 §2.2)', async (_name, token) => {
      await expectRevocationAccepted(revoke(token(), alice));
    });

    it('answers 200 to an expired token of the client', async () => {
      const token = await tokenFor(alice);
      clock.advance(601_000 + 5000);
      await expectRevocationAccepted(revoke(token, alice));
    });

    it('answers 200 to another client’s token and leaves it working (audited as denied)', async () => {
      const token = await tokenFor(alice);
      const jti = decodeJwt(token).jti!;
      await expectRevocationAccepted(revoke(token, bob));
      await expectRevocationAccepted(revoke(token, resourceServer));
      expect((await introspect(token, alice)).body).toMatchObject({ active: true, jti });

      const audit = await server.api('GET', `/api/audit?credential=${jti}`);
      expect(
        audit.body.items.map((event: { action: string; outcome: string; actor: { id: string } }) => [
          event.action,
          event.outcome,
          event.actor.id,
        ]),
      ).toEqual([
        ['token.revoke.denied', 'denied', resourceServer.id],
        ['token.revoke.denied', 'denied', bob.id],
        ['token.issued', 'success', alice.id],
      ]);
    });

    it('makes the management API refuse a revoked token at once, and ignores a foreign client’s attempt', async () => {
      const adminToken = await server.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
      expect((await server.api('GET', '/api/resources', undefined, adminToken)).status).toBe(200);

      await expectRevocationAccepted(revoke(adminToken, bob));
      expect((await server.api('GET', '/api/resources', undefined, adminToken)).status).toBe(200);

      await expectRevocationAccepted(revoke(adminToken, admin));
      const refused = await server.api('GET', '/api/resources', undefined, adminToken);
      expectInvalidToken(refused, 'The access token has been revoked', server.issuer);
      // A new token works: revocation is per token.
      expect(
        (await server.api('GET', '/api/resources', undefined, await server.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)))
          .status,
      ).toBe(200);
    });

    it('refuses JSON bodies and repeated tokens', async () => {
      const repeated = await server.form('/oauth/revoke', 'token=a&token=b', alice);
      expect({ status: repeated.status, body: repeated.body }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: expect.any(String) },
      });
      const json = await server.request('POST', '/oauth/revoke', {
        headers: { 'content-type': 'application/json' },
        body: '{"token":"x"}',
      });
      expect({ status: json.status, body: json.body }).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: expect.any(String) },
      });
    });
  });
});
