import { ManualClock } from '@tollgate/platform';
import { decodeJwt } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { ADMIN_CLIENT_ID, AuthServerHarness, type JsonResponse } from '../support/auth-server.harness.js';
import { generateClientKey } from '../support/jose-forge.js';
import { testDatabases } from '../support/test-databases.js';
import { expectInvalidToken, managementApiMetadata } from '../support/problem-answers.js';
import type { DataSource } from 'typeorm';

const CRM = 'https://crm.tollgate.test';
const BILLING = 'https://billing.tollgate.test';
const cc = { grant_type: 'client_credentials' };

/**
 * Every protected route of the management API with the scope it requires; `:resource`, `:client`
 * and `:secret` are real ids, `:other` a well-formed id of nothing (the guard runs before lookups).
 */
const ROUTES: Array<[string, string, string]> = [
  ['GET', '/api/resources', 'admin'],
  ['POST', '/api/resources', 'admin'],
  ['GET', '/api/resources/:resource', 'admin'],
  ['PATCH', '/api/resources/:resource', 'admin'],
  ['DELETE', '/api/resources/:resource', 'admin'],
  ['GET', '/api/clients', 'admin'],
  ['POST', '/api/clients', 'admin'],
  ['GET', '/api/clients/:client', 'admin'],
  ['PATCH', '/api/clients/:client', 'admin'],
  ['DELETE', '/api/clients/:client', 'admin'],
  ['POST', '/api/clients/:client/secrets', 'admin'],
  ['DELETE', '/api/clients/:client/secrets/:secret', 'admin'],
  ['POST', '/api/clients/:client/revoke-tokens', 'admin'],
  ['GET', '/api/signing-keys', 'admin'],
  ['POST', '/api/signing-keys/rotate', 'admin'],
  ['POST', '/api/signing-keys/:other/retire', 'admin'],
  ['GET', '/api/audit', 'admin'],
  ['GET', '/api/audit/export', 'admin'],
  ['GET', '/api/consumers', 'admin'],
  ['POST', '/api/consumers', 'admin'],
  ['GET', '/api/consumers/:other', 'admin'],
  ['PATCH', '/api/consumers/:other', 'admin'],
  ['DELETE', '/api/consumers/:other', 'admin'],
  ['GET', '/api/consumers/:other/keys', 'admin'],
  ['POST', '/api/consumers/:other/keys', 'admin'],
  ['GET', '/api/keys/:other', 'admin'],
  ['DELETE', '/api/keys/:other', 'admin'],
  ['POST', '/api/keys/:other/roll', 'admin'],
  ['GET', '/api/keys/:other/usage', 'admin'],
  ['GET', '/api/users', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['GET', '/api/users/:other', 'admin'],
  ['PATCH', '/api/users/:other', 'admin'],
  ['DELETE', '/api/users/:other', 'admin'],
  ['PUT', '/api/users/:other/roles', 'admin'],
  ['DELETE', '/api/users/:other/sign-in-factors', 'admin'],
  ['GET', '/api/users/:other/tokens', 'admin'],
  ['POST', '/api/users/:other/tokens', 'admin'],
  ['DELETE', '/api/users/:other/tokens', 'admin'],
  ['DELETE', '/api/users/:other/tokens/:other', 'admin'],
  ['GET', '/api/roles', 'admin'],
  ['POST', '/api/roles', 'admin'],
  ['GET', '/api/roles/:other', 'admin'],
  ['PATCH', '/api/roles/:other', 'admin'],
  ['DELETE', '/api/roles/:other', 'admin'],
  ['GET', '/api/settings/pat-policy', 'admin'],
  ['PUT', '/api/settings/pat-policy', 'admin'],
  ['GET', '/api/settings/sign-in-policy', 'admin'],
  ['PUT', '/api/settings/sign-in-policy', 'admin'],
  ['GET', '/api/broker/status', 'admin'],
  ['GET', '/api/overview', 'admin'],
  ['GET', '/api/consumers/:other/portal', 'admin'],
  ['PUT', '/api/consumers/:other/portal', 'admin'],
  ['DELETE', '/api/consumers/:other/portal', 'admin'],
  ['GET', '/api/consumers/:other/members', 'admin'],
  ['POST', '/api/consumers/:other/members', 'admin'],
  ['DELETE', '/api/consumers/:other/members/:other', 'admin'],
  ['POST', '/api/search', 'admin'],
  ['GET', '/api/webhooks', 'admin'],
  ['POST', '/api/webhooks', 'admin'],
  ['GET', '/api/webhooks/:other', 'admin'],
  ['PATCH', '/api/webhooks/:other', 'admin'],
  ['DELETE', '/api/webhooks/:other', 'admin'],
  ['POST', '/api/webhooks/:other/secret', 'admin'],
  ['GET', '/api/webhooks/:other/deliveries', 'admin'],
  ['POST', '/api/webhooks/:other/deliveries/:other/replay', 'admin'],
  ['POST', '/api/usage', 'usage:write'],
  ['GET', '/api/revocations', 'revocations:read'],
  ['GET', '/api/revocations/stream', 'revocations:read'],
];

/**
 * A person's own routes (console session or PAT): the same credential checks, but no scope to lack
 * (an M2M token is refused by the route itself; their owners' tests cover that).
 */
const USER_ROUTES: Array<[string, string]> = [
  ['GET', '/api/me'],
  ['GET', '/api/me/tokens'],
  ['GET', '/api/me/tokens/policy'],
  ['POST', '/api/me/tokens'],
  ['GET', '/api/me/tokens/:other'],
  ['DELETE', '/api/me/tokens/:other'],
  ['DELETE', '/api/me/token'],
  ['POST', '/api/device/lookup'],
  ['POST', '/api/device/approve'],
  ['POST', '/api/device/deny'],
  ['GET', '/api/session'],
  ['DELETE', '/api/session'],
  ['POST', '/api/session/reauthenticate/options'],
  ['POST', '/api/session/reauthenticate'],
  ['GET', '/api/me/passkeys'],
  ['POST', '/api/me/passkeys/options'],
  ['POST', '/api/me/passkeys'],
  ['PATCH', '/api/me/passkeys/:other'],
  ['DELETE', '/api/me/passkeys/:other'],
  ['GET', '/api/me/totp'],
  ['POST', '/api/me/totp'],
  ['POST', '/api/me/totp/confirm'],
  ['DELETE', '/api/me/totp'],
  ['GET', '/api/me/recovery-codes'],
  ['POST', '/api/me/recovery-codes'],
  ['GET', '/api/me/consumers'],
  ['GET', '/api/me/consumers/:other/keys'],
  ['POST', '/api/me/consumers/:other/keys'],
  ['POST', '/api/me/consumers/:other/keys/:other/roll'],
  ['DELETE', '/api/me/consumers/:other/keys/:other'],
  ['GET', '/api/me/consumers/:other/keys/:other/usage'],
];

/** Routes open to anyone: leak reports from secret scanners, and signing in (password, passkey, second step). */
const PUBLIC_ROUTES = [
  'POST /api/leaks',
  'POST /api/session',
  'POST /api/session/passkey/options',
  'POST /api/session/passkey',
  'POST /api/session/second-factor/options',
  'POST /api/session/second-factor',
];

function expectProblem(
  response: JsonResponse,
  status: number,
  title: string,
  extra: Record<string, unknown> = {},
): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { type: 'about:blank', title, status, detail: expect.any(String), ...extra },
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

/** A 400 from validation, listing what was wrong. */
function expectInvalid(response: JsonResponse, mentioning?: string): void {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: expect.any(String),
  });
  if (mentioning) expect(JSON.stringify(response.body)).toContain(mentioning);
}

/** Makes the next id of an append-only table greater than `id`. */
async function movePastId(dataSource: DataSource, table: string, id: number): Promise<void> {
  if (dataSource.options.type === 'postgres') {
    await dataSource.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, [table, id]);
  } else {
    await dataSource.query('DELETE FROM sqlite_sequence WHERE name = ?', [table]);
    await dataSource.query('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [table, id]);
  }
}

describe.each(testDatabases())('management API on $name', ({ create }) => {
  const clock = new ManualClock(Date.now());
  let server: AuthServerHarness;
  let crm: { id: string };
  let target: { id: string; secret: string; secretId: string };

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create(), clock });
    crm = await server.createResource(CRM, ['contacts:read', 'contacts:write'], { accessTokenTtl: 600 });
    await server.createResource(BILLING, ['invoices:read']);
    const created = await server.createClient({
      id: 'target-client',
      name: 'target',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    target = { id: created.id, secret: created.secret, secretId: created.body.secrets[0].id };
  });
  afterAll(() => server.stop());

  const path = (template: string) =>
    template
      .replace(':resource', crm.id)
      .replace(':client', target.id)
      .replace(':secret', target.secretId)
      .replaceAll(':other', '00000000-0000-4000-8000-000000000000');
  const send = (method: string, template: string, headers: Record<string, string>) =>
    server.request(method, path(template), {
      headers: { ...headers, ...(['POST', 'PATCH'].includes(method) ? { 'content-type': 'application/json' } : {}) },
      body: ['POST', 'PATCH'].includes(method) ? '{}' : undefined,
    });

  describe('every route is protected (RFC 6750)', () => {
    let crmToken: string;
    let introspectorToken: string;

    beforeAll(async () => {
      const reader = await server.createClient({
        name: 'crm reader',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      crmToken = await server.token(reader.id, reader.secret);
      const introspector = await server.createClient({
        name: 'introspector',
        grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
      });
      introspectorToken = await server.token(introspector.id, introspector.secret);
    });

    it('lists the same routes as the OpenAPI document', async () => {
      const document = await server.request('GET', '/docs/json');
      const documented = Object.entries(document.body.paths as Record<string, Record<string, unknown>>)
        .filter(([route]) => route.startsWith('/api/'))
        .flatMap(([route, operations]) =>
          Object.keys(operations).map((method) => `${method.toUpperCase()} ${route.replace(/\{[^}]+\}/g, ':id')}`),
        )
        .sort();
      const listed = [...ROUTES, ...USER_ROUTES].map(
        ([method, route]) => `${method} ${route.replace(/:[a-z]+/g, ':id')}`,
      );
      expect(documented).toEqual([...listed, ...PUBLIC_ROUTES].sort());
    });

    const CREDENTIAL_CHECKED = [...ROUTES.map(([method, route]) => [method, route]), ...USER_ROUTES];

    it.each(CREDENTIAL_CHECKED)('%s %s: 401 without error when no credential is sent', async (method, route) => {
      const response = await send(method, route, {});
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

    it.each(CREDENTIAL_CHECKED)('%s %s: 401 invalid_token with a token for another audience', async (method, route) => {
      const response = await send(method, route, { authorization: `Bearer ${crmToken}` });
      expectInvalidToken(response, 'The access token is not meant for this resource (aud)', server.issuer);
    });

    it.each(ROUTES)(
      '%s %s: 403 insufficient_scope (%s) with a management API token that lacks it',
      async (method, route, scope) => {
        const response = await send(method, route, { authorization: `Bearer ${introspectorToken}` });
        const description = `This request needs the scope ${scope}`;
        expect({ status: response.status, body: response.body }).toEqual({
          status: 403,
          body: {
            type: 'urn:tollgate:problem:insufficient_scope',
            title: 'Forbidden',
            status: 403,
            detail: description,
            error: 'insufficient_scope',
            error_description: description,
            scope,
          },
        });
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer realm="tollgate", error="insufficient_scope", error_description="${description}", scope="${scope}", resource_metadata="${managementApiMetadata(server.issuer)}"`,
        );
      },
    );

    it.each(CREDENTIAL_CHECKED)(
      '%s %s: 400 invalid_request with the admin token in the query string',
      async (method, route) => {
        const response = await send(method, `${route}?access_token=${await server.admin()}`, {});
        expect({ status: response.status, body: response.body }).toEqual({
          status: 400,
          body: {
            type: 'urn:tollgate:problem:invalid_request',
            title: 'Bad Request',
            status: 400,
            detail: expect.stringContaining('not accepted in the URL'),
            error: 'invalid_request',
            error_description: expect.stringContaining('not accepted in the URL'),
          },
        });
        expect(response.headers.get('www-authenticate')).toMatch(
          /^Bearer realm="tollgate", error="invalid_request", error_description="[^"]+", resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/api"$/,
        );
      },
    );

    it('changed nothing through the refused requests', async () => {
      expect((await server.api('GET', `/api/resources/${crm.id}`)).status).toBe(200);
      const client = await server.api('GET', `/api/clients/${target.id}`);
      expect(client.body.secrets.map((secret: { id: string }) => secret.id)).toEqual([target.secretId]);
      expect(client.body.tokensValidAfter).toBeNull();
      expect(
        (await server.api('GET', '/api/signing-keys')).body.map((key: { state: string }) => key.state).sort(),
      ).toEqual(['current', 'next']);
      expect((await server.form('/oauth/token', cc, target)).status).toBe(200);
    });
  });

  describe('NUL characters (PostgreSQL text cannot hold them)', () => {
    it.each([
      ['POST', '/api/resources', { indicator: 'https://nul.tollgate.test', name: 'a\u0000b', scopes: [] }],
      ['POST', '/api/resources', { indicator: 'https://nul.tollgate.test/\u0000', name: 'nul', scopes: [] }],
      ['POST', '/api/clients', { name: 'a\u0000b', grants: [] }],
      ['PATCH', '/api/clients/target-client', { name: '\u0000' }],
      ['POST', '/api/clients', { name: 'nested', grants: [{ resource: CRM, scopes: ['\u0000'] }] }],
      ['GET', '/api/audit?actor=%00', undefined],
      ['GET', '/api/audit?credential=a%00b', undefined],
    ])('%s %s answers 400, never 500', async (method, route, body) => {
      expectProblem(await server.api(method, route, body), 400, 'Bad Request');
    });
  });

  describe('lone UTF-16 surrogates (not Unicode text: stored, they break every strict reader of the audit log)', () => {
    it.each([
      ['POST', '/api/resources', { indicator: 'https://surrogate.tollgate.test', name: 'a\ud800b', scopes: [] }],
      ['POST', '/api/clients', { name: '\udc00', grants: [] }],
      ['PATCH', '/api/clients/target-client', { name: 'x\udbff' }],
      ['POST', '/api/clients', { name: 'nested', grants: [{ resource: CRM, scopes: ['\ud800'] }] }],
    ])('%s %s answers 400, never stored', async (method, route, body) => {
      const response = await server.api(method, route, body);
      expectProblem(response, 400, 'Bad Request');
      expect(response.body.detail).toBe(
        'The request contains a lone UTF-16 surrogate (text must be well-formed Unicode)',
      );
    });
  });

  describe('resources', () => {
    it('creates, reads, lists, updates and deletes a resource', async () => {
      const created = await server.api('POST', '/api/resources', {
        indicator: 'https://orders.tollgate.test/v2',
        name: 'Orders',
        scopes: ['orders:read', 'orders:read', 'orders:write'],
        accessTokenTtl: 300,
      });
      expect({ status: created.status, body: created.body }).toEqual({
        status: 201,
        body: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          indicator: 'https://orders.tollgate.test/v2',
          name: 'Orders',
          scopes: ['orders:read', 'orders:write'],
          accessTokenTtl: 300,
          requiredBinding: 'none',
          system: false,
          createdAt: clock.now().toISOString(),
          updatedAt: clock.now().toISOString(),
        },
      });
      const id = created.body.id;
      expect((await server.api('GET', `/api/resources/${id}`)).body).toEqual(created.body);
      expect((await server.api('GET', '/api/resources')).body).toEqual(
        expect.arrayContaining([
          created.body,
          expect.objectContaining({ indicator: server.managementApi, system: true }),
        ]),
      );

      clock.advance(1000);
      const updated = await server.api('PATCH', `/api/resources/${id}`, {
        name: 'Orders API',
        scopes: ['orders:read'],
        accessTokenTtl: 120,
      });
      expect({ status: updated.status, body: updated.body }).toEqual({
        status: 200,
        body: {
          ...created.body,
          name: 'Orders API',
          scopes: ['orders:read'],
          accessTokenTtl: 120,
          updatedAt: clock.now().toISOString(),
        },
      });

      // The audit names only the fields the request changed.
      expect((await server.api('PATCH', `/api/resources/${id}`, { accessTokenTtl: 180 })).body.accessTokenTtl).toBe(
        180,
      );
      const updates = await server.api('GET', `/api/audit?action=resource.updated&since=${clock.now().toISOString()}`);
      expect(updates.body.items.map((event: { details: unknown }) => event.details)).toEqual([
        { resourceId: id, changes: ['accessTokenTtl'] },
        { resourceId: id, changes: ['name', 'scopes', 'accessTokenTtl'] },
      ]);

      const deleted = await server.api('DELETE', `/api/resources/${id}`);
      expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 204, body: '' });
      expectProblem(await server.api('GET', `/api/resources/${id}`), 404, 'Not Found');
    });

    it('removes the grants on a deleted resource', async () => {
      await server.api('POST', '/api/resources', {
        indicator: 'https://temp.tollgate.test',
        name: 'Temp',
        scopes: ['t'],
      });
      const temp = (await server.api('GET', '/api/resources')).body.find(
        (resource: { indicator: string }) => resource.indicator === 'https://temp.tollgate.test',
      );
      const client = await server.createClient({
        name: 'temp user',
        grants: [
          { resource: 'https://temp.tollgate.test', scopes: ['t'] },
          { resource: CRM, scopes: ['contacts:read'] },
        ],
      });
      expect((await server.api('DELETE', `/api/resources/${temp.id}`)).status).toBe(204);
      expect((await server.api('GET', `/api/clients/${client.id}`)).body.grants).toEqual([
        { resource: CRM, scopes: ['contacts:read'] },
      ]);
      expect(
        (await server.form('/oauth/token', { ...cc, resource: 'https://temp.tollgate.test' }, client)).body,
      ).toEqual({ error: 'invalid_target', error_description: expect.any(String) });
    });

    const valid = { indicator: 'https://valid.tollgate.test', name: 'Valid', scopes: ['a:b'] };
    it.each([
      ['an unknown field', { ...valid, owner: 'me' }, 'owner'],
      ['a relative indicator', { ...valid, indicator: '/contacts' }, 'indicator'],
      ['an indicator with a fragment', { ...valid, indicator: 'https://x.test/#f' }, 'indicator'],
      ['an indicator with a query', { ...valid, indicator: 'https://x.test/?q=1' }, 'indicator'],
      ['an indicator over 255 characters', { ...valid, indicator: `https://x.test/${'a'.repeat(250)}` }, 'indicator'],
      ['a numeric indicator', { ...valid, indicator: 42 }, 'indicator'],
      ['no indicator', { name: 'x', scopes: [] }, 'indicator'],
      ['an empty name', { ...valid, name: '' }, 'name'],
      ['a 101-character name', { ...valid, name: 'n'.repeat(101) }, 'name'],
      ['scopes that are not an array', { ...valid, scopes: 'a:b' }, 'scopes'],
      ['a scope with a space', { ...valid, scopes: ['a b'] }, 'scope'],
      ['a scope with a quote', { ...valid, scopes: ['a"b'] }, 'scope'],
      ['an empty scope', { ...valid, scopes: [''] }, 'scope'],
      ['201 scopes', { ...valid, scopes: Array.from({ length: 201 }, (_, i) => `s${i}`) }, 'scopes'],
      ['a TTL under a minute', { ...valid, accessTokenTtl: 59 }, 'accessTokenTtl'],
      ['a TTL over a day', { ...valid, accessTokenTtl: 86_401 }, 'accessTokenTtl'],
      ['a fractional TTL', { ...valid, accessTokenTtl: 60.5 }, 'accessTokenTtl'],
      ['a string TTL', { ...valid, accessTokenTtl: '900' }, 'accessTokenTtl'],
      ['a JSON array', [valid], 'indicator'],
      ['JSON null', null, 'indicator'],
    ])('refuses to create a resource with %s (400)', async (_name, body, mentioning) => {
      expectInvalid(await server.api('POST', '/api/resources', body), mentioning);
    });

    it('refuses malformed JSON and a non-JSON body', async () => {
      const headers = { authorization: `Bearer ${await server.admin()}`, 'content-type': 'application/json' };
      expectProblem(
        await server.request('POST', '/api/resources', { headers, body: '{"indicator":' }),
        400,
        'Bad Request',
      );
      const text = await server.request('POST', '/api/resources', {
        headers: { ...headers, 'content-type': 'text/csv' },
        body: 'a,b',
      });
      expect(text.status).toBe(415);
    });

    it('answers 409 to a duplicate indicator, and to changing or deleting the management API', async () => {
      expectProblem(
        await server.api('POST', '/api/resources', { indicator: CRM, name: 'again', scopes: [] }),
        409,
        'Conflict',
      );
      const managementApi = (await server.api('GET', '/api/resources')).body.find(
        (resource: { system: boolean }) => resource.system,
      );
      expectProblem(await server.api('DELETE', `/api/resources/${managementApi.id}`), 409, 'Conflict');
      expectProblem(
        await server.api('PATCH', `/api/resources/${managementApi.id}`, { scopes: ['admin'] }),
        409,
        'Conflict',
      );
      expect((await server.api('GET', `/api/resources/${managementApi.id}`)).body.scopes).toEqual([
        'admin',
        'tokens:introspect',
        'usage:write',
        'revocations:read',
      ]);
      expect((await server.form('/oauth/token', cc, { id: ADMIN_CLIENT_ID, secret: 'x' })).status).toBe(401);
    });

    it.each([
      ['GET', 'not-a-uuid', 400],
      ['GET', '00000000-0000-1000-8000-000000000000', 400],
      ['GET', randomUUID(), 404],
      ['PATCH', randomUUID(), 404],
      ['DELETE', randomUUID(), 404],
      ['DELETE', '..%2F..%2Fetc', 400],
    ])('%s /api/resources/%s answers %i', async (method, id, status) => {
      expectProblem(
        await server.api(method, `/api/resources/${id}`, method === 'PATCH' ? { name: 'x' } : undefined),
        status,
        status === 400 ? 'Bad Request' : 'Not Found',
      );
    });

    it.each([
      ['an unknown field', { owner: 'me' }],
      ['the indicator (not changeable)', { indicator: 'https://other.test' }],
      ['a bad scope', { scopes: ['a b'] }],
      ['a bad TTL', { accessTokenTtl: 10 }],
    ])('refuses to update a resource with %s (400)', async (_name, body) => {
      expectInvalid(await server.api('PATCH', `/api/resources/${crm.id}`, body));
    });
  });

  describe('clients', () => {
    it('creates a client: secret shown once, in tgs_ format, stored hashed', async () => {
      const created = await server.api('POST', '/api/clients', {
        id: 'svc.orders-1',
        name: 'Orders service',
        kind: 'service',
        grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:read'] }],
        secretExpiresInDays: 90,
      });
      const now = clock.now();
      expect({ status: created.status, body: created.body }).toEqual({
        status: 201,
        body: {
          id: 'svc.orders-1',
          name: 'Orders service',
          kind: 'service',
          tokenEndpointAuthMethod: 'client_secret_basic',
          disabled: false,
          allowTokenExchange: false,
          requiredBinding: 'none',
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
          secrets: [
            {
              id: expect.any(String),
              displayPrefix: created.body.clientSecret.slice(0, 8),
              createdAt: now.toISOString(),
              expiresAt: new Date(now.getTime() + 90 * 86_400_000).toISOString(),
              active: true,
            },
          ],
          tokensValidAfter: null,
          jwks: null,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          clientSecret: expect.stringMatching(/^tgs_[0-9A-Za-z]{49}$/),
        },
      });
      const { clientSecret, ...described } = created.body;
      expect((await server.api('GET', '/api/clients/svc.orders-1')).body).toEqual(described);
      const rows = await server.dataSource
        .createQueryBuilder()
        .select('*')
        .from('client_secrets', 's')
        .where('s.clientId = :id', { id: 'svc.orders-1' })
        .getRawMany();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(clientSecret);
      expect(rows[0].secretHash).toBe(createHash('sha256').update(clientSecret).digest('base64url'));
    });

    it('registers a private_key_jwt client without a secret', async () => {
      const key = await generateClientKey('ES256');
      const created = await server.api('POST', '/api/clients', {
        name: 'jwt',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
        grants: [],
      });
      expect(created.status).toBe(201);
      expect(created.body).not.toHaveProperty('clientSecret');
      expect(created.body).toMatchObject({
        tokenEndpointAuthMethod: 'private_key_jwt',
        secrets: [],
        jwks: { keys: [key.publicJwk] },
      });
      expectInvalid(await server.api('POST', `/api/clients/${created.body.id}/secrets`, {}), 'private_key_jwt');
    });

    const grants = [{ resource: CRM, scopes: ['contacts:read'] }];
    it.each([
      ['an unknown field', { name: 'x', grants, role: 'admin' }, 'role'],
      ['a 2-character id', { id: 'ab', name: 'x', grants }, 'id'],
      ['an id with a space', { id: 'a b c', name: 'x', grants }, 'id'],
      ['an id with a colon', { id: 'a:b:c', name: 'x', grants }, 'id'],
      ['an id with a percent sign', { id: 'a%20b', name: 'x', grants }, 'id'],
      ['an id with a slash', { id: '../admin', name: 'x', grants }, 'id'],
      ['a 65-character id', { id: 'i'.repeat(65), name: 'x', grants }, 'id'],
      ['a non-ASCII id', { id: 'clïent', name: 'x', grants }, 'id'],
      ['no name', { grants }, 'name'],
      ['an unknown kind', { name: 'x', kind: 'user', grants }, 'kind'],
      ['an unknown auth method', { name: 'x', tokenEndpointAuthMethod: 'none', grants }, 'tokenEndpointAuthMethod'],
      [
        'client_secret_jwt (symmetric)',
        { name: 'x', tokenEndpointAuthMethod: 'client_secret_jwt', grants },
        'tokenEndpointAuthMethod',
      ],
      ['no grants', { name: 'x' }, 'grants'],
      ['grants that are not an array', { name: 'x', grants: { resource: CRM } }, 'grants'],
      ['a grant with a relative resource', { name: 'x', grants: [{ resource: '/crm', scopes: [] }] }, 'resource'],
      ['a grant with a fragment', { name: 'x', grants: [{ resource: `${CRM}#x`, scopes: [] }] }, 'resource'],
      ['a grant with a malformed scope', { name: 'x', grants: [{ resource: CRM, scopes: ['a b'] }] }, 'scope'],
      ['a grant with an unknown field', { name: 'x', grants: [{ resource: CRM, scopes: [], admin: true }] }, 'admin'],
      [
        'an unknown resource',
        { name: 'x', grants: [{ resource: 'https://unknown.tollgate.test', scopes: [] }] },
        'Unknown resource',
      ],
      [
        'a scope the resource does not define',
        { name: 'x', grants: [{ resource: CRM, scopes: ['contacts:delete'] }] },
        'contacts:delete',
      ],
      [
        'a scope of another resource',
        { name: 'x', grants: [{ resource: CRM, scopes: ['invoices:read'] }] },
        'invoices:read',
      ],
      [
        'the same resource twice',
        {
          name: 'x',
          grants: [
            { resource: CRM, scopes: ['contacts:read'] },
            { resource: CRM, scopes: ['contacts:write'] },
          ],
        },
        'only once',
      ],
      ['private_key_jwt without jwks', { name: 'x', tokenEndpointAuthMethod: 'private_key_jwt', grants }, 'jwks'],
      ['jwks on a secret client', { name: 'x', jwks: { keys: [] }, grants }, 'jwks'],
      [
        'tls_client_auth on an auth-server that trusts no CA for client certificates',
        { name: 'x', tokenEndpointAuthMethod: 'tls_client_auth', tlsClientAuthSanDns: 'a.example', grants },
        'TLS_CLIENT_CA_FILE',
      ],
      [
        'a certificate subject on a secret client',
        { name: 'x', tlsClientAuthSubjectDn: 'CN=x', grants },
        'only used by tls_client_auth',
      ],
      ['a secret lifetime of 0 days', { name: 'x', grants, secretExpiresInDays: 0 }, 'secretExpiresInDays'],
      ['a secret lifetime over 10 years', { name: 'x', grants, secretExpiresInDays: 3651 }, 'secretExpiresInDays'],
    ])('refuses to create a client with %s (400)', async (_name, body, mentioning) => {
      expectInvalid(await server.api('POST', '/api/clients', body), mentioning);
    });

    it.each([
      ['no keys', async () => ({ keys: [] })],
      ['keys that are not an array', async () => ({ keys: 'x' })],
      ['a null key', async () => ({ keys: [null] })],
      ['a private key', async () => ({ keys: [{ ...(await generateClientKey('ES256')).publicJwk, d: 'AAAA' }] })],
      ['a symmetric key', async () => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })],
      [
        'a key that is not on its curve',
        async () => ({ keys: [{ ...(await generateClientKey('ES256')).publicJwk, x: 'AAAA' }] }),
      ],
      [
        'eleven keys',
        async () => ({
          keys: await Promise.all(Array.from({ length: 11 }, async () => (await generateClientKey('ES256')).publicJwk)),
        }),
      ],
      ['an array', async () => []],
    ])('refuses a private_key_jwt client whose jwks has %s (400)', async (_name, jwks) => {
      expectInvalid(
        await server.api('POST', '/api/clients', {
          name: 'x',
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: await jwks(),
          grants,
        }),
      );
    });

    it('answers 409 to a duplicate id, including the bootstrap admin’s', async () => {
      expectProblem(
        await server.api('POST', '/api/clients', { id: target.id, name: 'again', grants }),
        409,
        'Conflict',
      );
      expectProblem(
        await server.api('POST', '/api/clients', { id: ADMIN_CLIENT_ID, name: 'impostor', grants: [] }),
        409,
        'Conflict',
      );
      expect((await server.form('/oauth/token', cc, target)).status).toBe(200);
    });

    it.each([
      ['GET', '/api/clients/ab', 400],
      ['GET', '/api/clients/a:b:c', 404],
      ['GET', '/api/clients/a%20b', 400],
      ['GET', '/api/clients/%2e%2e%2fadmin', 400],
      ['GET', '/api/clients/no-such-client', 404],
      ['PATCH', '/api/clients/no-such-client', 404],
      ['DELETE', '/api/clients/no-such-client', 404],
      ['POST', '/api/clients/no-such-client/secrets', 404],
      ['POST', '/api/clients/no-such-client/revoke-tokens', 404],
      ['DELETE', '/api/clients/target-client/secrets/not-a-uuid', 400],
      ['DELETE', `/api/clients/target-client/secrets/${randomUUID()}`, 404],
      ['DELETE', `/api/clients/no-such-client/secrets/${randomUUID()}`, 404],
    ])('%s %s answers %i', async (method, route, status) => {
      const body = method === 'PATCH' ? { name: 'x' } : method === 'POST' ? {} : undefined;
      expectProblem(await server.api(method, route, body), status, status === 400 ? 'Bad Request' : 'Not Found');
    });

    it('does not revoke a secret through another client’s path', async () => {
      const other = await server.createClient({ name: 'other', grants });
      expectProblem(
        await server.api('DELETE', `/api/clients/${other.id}/secrets/${target.secretId}`),
        404,
        'Not Found',
      );
      expect((await server.form('/oauth/token', cc, target)).status).toBe(200);
    });

    it.each([
      ['an unknown field', { owner: 'me' }],
      ['a new auth method (not changeable)', { tokenEndpointAuthMethod: 'client_secret_post' }],
      ['a non-boolean disabled', { disabled: 'yes' }],
      ['an empty name', { name: '' }],
      ['jwks on a secret client', { jwks: { keys: [] } }],
      [
        'the same resource twice',
        {
          grants: [
            { resource: CRM, scopes: [] },
            { resource: CRM, scopes: [] },
          ],
        },
      ],
      ['an unknown scope', { grants: [{ resource: CRM, scopes: ['nope'] }] }],
    ])('refuses to update a client with %s (400)', async (_name, body) => {
      expectInvalid(await server.api('PATCH', `/api/clients/${target.id}`, body));
      expect((await server.api('GET', `/api/clients/${target.id}`)).body.grants).toEqual([
        { resource: CRM, scopes: ['contacts:read'] },
      ]);
    });

    it('replaces grants, disables and re-enables a client', async () => {
      const client = await server.createClient({ name: 'regrant', grants });
      clock.advance(1000);
      const updated = await server.api('PATCH', `/api/clients/${client.id}`, {
        name: 'renamed',
        grants: [{ resource: BILLING, scopes: ['invoices:read'] }],
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        name: 'renamed',
        grants: [{ resource: BILLING, scopes: ['invoices:read'] }],
        updatedAt: clock.now().toISOString(),
      });
      expect(decodeJwt((await server.form('/oauth/token', cc, client)).body.access_token).aud).toBe(BILLING);

      expect((await server.api('PATCH', `/api/clients/${client.id}`, { disabled: true })).body.disabled).toBe(true);
      expect((await server.form('/oauth/token', cc, client)).status).toBe(401);
      expect((await server.api('PATCH', `/api/clients/${client.id}`, { disabled: false })).body.disabled).toBe(false);
      expect((await server.form('/oauth/token', cc, client)).status).toBe(200);
    });

    it('deletes a client: its secrets stop working and its tokens become inactive', async () => {
      const doomed = await server.createClient({ name: 'doomed', grants });
      const token = await server.token(doomed.id, doomed.secret);
      expect((await server.api('DELETE', `/api/clients/${doomed.id}`)).status).toBe(204);
      expectProblem(await server.api('GET', `/api/clients/${doomed.id}`), 404, 'Not Found');
      expect((await server.form('/oauth/token', cc, doomed)).status).toBe(401);
      const introspector = await server.createClient({
        name: 'rs',
        grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
      });
      expect(JSON.stringify((await server.form('/oauth/introspect', { token }, introspector)).body)).toBe(
        '{"active":false}',
      );
    });
  });

  describe('secret rotation', () => {
    it('keeps both secrets working during the overlap, then only the new one', async () => {
      const client = await server.createClient({
        name: 'rotating',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const rotated = await server.api('POST', `/api/clients/${client.id}/secrets`, {
        expireCurrentInMinutes: 10,
        expiresInDays: 30,
      });
      const now = clock.now();
      expect({ status: rotated.status, body: rotated.body }).toEqual({
        status: 201,
        body: {
          id: expect.any(String),
          displayPrefix: rotated.body.clientSecret.slice(0, 8),
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
          active: true,
          clientSecret: expect.stringMatching(/^tgs_[0-9A-Za-z]{49}$/),
        },
      });
      const next = { id: client.id, secret: rotated.body.clientSecret };
      expect((await server.form('/oauth/token', cc, client)).status).toBe(200);
      expect((await server.form('/oauth/token', cc, next)).status).toBe(200);
      const during = await server.api('GET', `/api/clients/${client.id}`);
      expect(during.body.secrets).toEqual([
        expect.objectContaining({ expiresAt: new Date(now.getTime() + 10 * 60_000).toISOString(), active: true }),
        expect.objectContaining({ id: rotated.body.id, active: true }),
      ]);

      clock.advance(10 * 60_000 - 1000);
      expect((await server.form('/oauth/token', cc, client)).status).toBe(200);
      clock.advance(1000);
      expect((await server.form('/oauth/token', cc, client)).body).toEqual({
        error: 'invalid_client',
        error_description: 'Client authentication failed',
      });
      expect((await server.form('/oauth/token', cc, next)).status).toBe(200);
      expect(
        (await server.api('GET', `/api/clients/${client.id}`)).body.secrets.map(
          (secret: { active: boolean }) => secret.active,
        ),
      ).toEqual([false, true]);
    });

    it('stops the old secret at once with expireCurrentInMinutes 0, and keeps it without the field', async () => {
      const client = await server.createClient({
        name: 'immediate',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const kept = await server.api('POST', `/api/clients/${client.id}/secrets`, {});
      expect(kept.status).toBe(201);
      expect(kept.body.expiresAt).toBeNull();
      expect((await server.form('/oauth/token', cc, client)).status).toBe(200);

      const immediate = await server.api('POST', `/api/clients/${client.id}/secrets`, { expireCurrentInMinutes: 0 });
      expect((await server.form('/oauth/token', cc, client)).status).toBe(401);
      expect((await server.form('/oauth/token', cc, { id: client.id, secret: kept.body.clientSecret })).status).toBe(
        401,
      );
      expect(
        (await server.form('/oauth/token', cc, { id: client.id, secret: immediate.body.clientSecret })).status,
      ).toBe(200);
    });

    it('revokes one secret at once', async () => {
      const client = await server.createClient({
        name: 'revoking',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const second = await server.api('POST', `/api/clients/${client.id}/secrets`, {});
      const firstId = (await server.api('GET', `/api/clients/${client.id}`)).body.secrets[0].id;
      const revoked = await server.api('DELETE', `/api/clients/${client.id}/secrets/${firstId}`);
      expect({ status: revoked.status, body: revoked.body }).toEqual({ status: 204, body: '' });
      expect((await server.form('/oauth/token', cc, client)).status).toBe(401);
      expect((await server.form('/oauth/token', cc, { id: client.id, secret: second.body.clientSecret })).status).toBe(
        200,
      );
      expectProblem(await server.api('DELETE', `/api/clients/${client.id}/secrets/${firstId}`), 404, 'Not Found');
    });

    it.each([
      ['a negative overlap', { expireCurrentInMinutes: -1 }],
      ['an overlap over 30 days', { expireCurrentInMinutes: 43_201 }],
      ['a fractional overlap', { expireCurrentInMinutes: 1.5 }],
      ['a string overlap', { expireCurrentInMinutes: '10' }],
      ['a lifetime of 0 days', { expiresInDays: 0 }],
      ['an unknown field', { secret: 'tgs_mine' }],
    ])('refuses a rotation with %s (400), changing nothing', async (_name, body) => {
      expectInvalid(await server.api('POST', `/api/clients/${target.id}/secrets`, body));
      expect((await server.api('GET', `/api/clients/${target.id}`)).body.secrets).toHaveLength(1);
    });
  });

  describe('revoke-tokens', () => {
    it('refuses every token issued before, and accepts new ones', async () => {
      const client = await server.createClient({
        name: 'compromised',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const introspector = await server.createClient({
        name: 'rs2',
        grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
      });
      const before = await server.token(client.id, client.secret);
      clock.advance(1000);
      const response = await server.api('POST', `/api/clients/${client.id}/revoke-tokens`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: client.id,
        tokensValidAfter: clock.now().toISOString(),
        updatedAt: clock.now().toISOString(),
      });
      expect(JSON.stringify((await server.form('/oauth/introspect', { token: before }, introspector)).body)).toBe(
        '{"active":false}',
      );
      clock.advance(1000);
      const after = await server.token(client.id, client.secret);
      expect((await server.form('/oauth/introspect', { token: after }, introspector)).body).toMatchObject({
        active: true,
      });
    });

    it('accepts a token obtained in the same second as the revocation, and refuses one from just before', async () => {
      const client = await server.createClient({
        name: 'same second',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const introspector = await server.createClient({
        name: 'rs3',
        grants: [{ resource: server.managementApi, scopes: ['tokens:introspect'] }],
      });
      clock.set(Math.ceil(clock.now().getTime() / 1000) * 1000 + 1000 + 300);
      const before = await server.token(client.id, client.secret);
      clock.advance(200);
      expect((await server.api('POST', `/api/clients/${client.id}/revoke-tokens`)).status).toBe(200);
      clock.advance(200);
      const after = await server.token(client.id, client.secret);
      expect(JSON.stringify((await server.form('/oauth/introspect', { token: before }, introspector)).body)).toBe(
        '{"active":false}',
      );
      expect((await server.form('/oauth/introspect', { token: after }, introspector)).body).toMatchObject({
        active: true,
      });
      // Dated at the next second, within every verifier's skew, and its lifetime is whole.
      const { iat, exp } = decodeJwt(after);
      expect(iat).toBe(Math.ceil(clock.now().getTime() / 1000));
      expect(exp! - iat!).toBe(600);
    });

    it('refuses the management API to an admin whose tokens were revoked', async () => {
      const admin = await server.createClient({
        name: 'second admin',
        grants: [{ resource: server.managementApi, scopes: ['admin'] }],
      });
      const token = await server.token(admin.id, admin.secret);
      expect((await server.api('GET', '/api/clients', undefined, token)).status).toBe(200);
      clock.advance(1000);
      expect((await server.api('POST', `/api/clients/${admin.id}/revoke-tokens`)).status).toBe(200);
      const refused = await server.api('GET', '/api/clients', undefined, token);
      expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 401, error: 'invalid_token' });
    });
  });

  describe('concurrent requests', () => {
    const many = <T>(count: number, request: () => Promise<T>) => Promise.all(Array.from({ length: count }, request));

    it('creates a client id or a resource indicator once, answering 409 to the others', async () => {
      const clients = await many(6, () =>
        server.api('POST', '/api/clients', {
          id: 'raced-client',
          name: 'raced',
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        }),
      );
      expect(clients.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const refused of clients.filter((response) => response.status === 409))
        expectProblem(refused, 409, 'Conflict');
      const resources = await many(6, () =>
        server.api('POST', '/api/resources', { indicator: 'https://raced.tollgate.test', name: 'raced', scopes: [] }),
      );
      expect(resources.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    });

    it('replaces grants concurrently without a 500, leaving one consistent set', async () => {
      const client = await server.createClient({
        name: 'regranted',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const updates = await many(4, () =>
        server.api('PATCH', `/api/clients/${client.id}`, {
          grants: [
            { resource: CRM, scopes: ['contacts:write'] },
            { resource: BILLING, scopes: ['invoices:read'] },
          ],
        }),
      );
      expect(updates.every((response) => response.status === 200 || response.status === 409)).toBe(true);
      expect(updates.some((response) => response.status === 200)).toBe(true);
      expect((await server.api('GET', `/api/clients/${client.id}`)).body.grants).toEqual(
        expect.arrayContaining([
          { resource: CRM, scopes: ['contacts:write'] },
          { resource: BILLING, scopes: ['invoices:read'] },
        ]),
      );
      expect((await server.api('GET', `/api/clients/${client.id}`)).body.grants).toHaveLength(2);
    });

    it('rotates signing keys concurrently without a 500, keeping one current and one next key', async () => {
      const rotations = await many(4, () => server.api('POST', '/api/signing-keys/rotate', { immediately: true }));
      expect(rotations.every((response) => response.status === 200 || response.status === 409)).toBe(true);
      const states = (await server.api('GET', '/api/signing-keys')).body.map((key: { state: string }) => key.state);
      expect(states.filter((state: string) => state === 'current')).toHaveLength(1);
      expect(states.filter((state: string) => state === 'next')).toHaveLength(1);
      expect((await server.form('/oauth/token', cc, target)).status).toBe(200);
    });
  });

  describe('audit log', () => {
    it('records create, rotate and revoke events with who did what to which credential', async () => {
      clock.advance(60_000);
      const since = clock.now().toISOString();
      const client = await server.createClient({
        id: 'audited-client',
        name: 'audited',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const rotated = await server.api('POST', `/api/clients/${client.id}/secrets`, { expireCurrentInMinutes: 5 });
      const firstSecret = (await server.api('GET', `/api/clients/${client.id}`)).body.secrets[0].id;
      await server.api('DELETE', `/api/clients/${client.id}/secrets/${firstSecret}`);
      await server.api('POST', `/api/clients/${client.id}/revoke-tokens`);
      await server.api('PATCH', `/api/clients/${client.id}`, { disabled: true });
      await server.api('DELETE', `/api/clients/${client.id}`);
      const keys = await server.api('POST', '/api/signing-keys/rotate', { immediately: true });

      const events = (await server.api('GET', `/api/audit?since=${since}&actor=${ADMIN_CLIENT_ID}`)).body.items;
      const admin = { type: 'client', id: ADMIN_CLIENT_ID };
      // The caller's address as the server saw it (the harness calls over loopback).
      const shape = {
        id: expect.any(Number),
        occurredAt: clock.now().toISOString(),
        outcome: 'success',
        actor: admin,
        address: '127.0.0.1',
        reason: null,
      };
      expect(events.filter((event: { action: string }) => event.action !== 'token.issued')).toEqual([
        {
          ...shape,
          action: 'signing-key.rotated',
          credential: { type: 'signing_key', id: keys.body.current },
          details: { ...keys.body, immediately: true },
        },
        { ...shape, action: 'client.deleted', credential: { type: 'client', id: client.id }, details: null },
        {
          ...shape,
          action: 'client.disabled',
          credential: { type: 'client', id: client.id },
          details: { changes: ['disabled'] },
        },
        {
          ...shape,
          action: 'client.tokens.revoked',
          credential: { type: 'client', id: client.id },
          details: { issuedBefore: clock.now().toISOString() },
        },
        {
          ...shape,
          action: 'client.secret.revoked',
          credential: { type: 'client_secret', id: firstSecret },
          details: { clientId: client.id },
        },
        {
          ...shape,
          action: 'client.secret.rotated',
          credential: { type: 'client_secret', id: rotated.body.id },
          details: {
            clientId: client.id,
            previousSecretsExpireAt: new Date(clock.now().getTime() + 5 * 60_000).toISOString(),
          },
        },
        {
          ...shape,
          action: 'client.created',
          credential: { type: 'client', id: client.id },
          details: {
            kind: 'service',
            method: 'client_secret_basic',
            grants: [{ resource: CRM, scopes: ['contacts:read'] }],
          },
        },
      ]);
    });

    it('filters by action (exact or prefix), actor, credential, outcome and time', async () => {
      clock.advance(60_000);
      const start = clock.now();
      const client = await server.createClient({
        name: 'filtered',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const token = await server.token(client.id, client.secret);
      await server.form('/oauth/token', cc, { id: client.id, secret: 'wrong-secret' });
      clock.advance(60_000);
      const middle = clock.now();
      await server.api('POST', `/api/clients/${client.id}/secrets`, {});
      clock.advance(60_000);
      const end = clock.now();
      const query = async (filters: string, since = start) => {
        const response = await server.api('GET', `/api/audit?since=${since.toISOString()}&${filters}`);
        expect(response.status).toBe(200);
        return response.body.items.map((event: { action: string }) => event.action);
      };

      expect(await query('action=token.issued')).toEqual(expect.arrayContaining(['token.issued']));
      expect(new Set(await query('action=token.issued'))).toEqual(new Set(['token.issued']));
      expect(new Set(await query('action=client.*'))).toEqual(
        new Set(['client.created', 'client.auth.failed', 'client.secret.rotated']),
      );
      expect(await query(`actor=${client.id}`)).toEqual(['token.issued']);
      expect(await query(`credential=${client.id}`)).toEqual(['client.auth.failed', 'client.created']);
      expect(await query(`credential=${decodeJwt(token).jti}`)).toEqual(['token.issued']);
      expect(await query('outcome=failure')).toEqual(['client.auth.failed']);
      expect(await query(`outcome=failure&credential=${client.id}&action=client.auth.failed`)).toEqual([
        'client.auth.failed',
      ]);
      expect(await query(`until=${middle.toISOString()}&credential=${client.id}`)).toEqual([
        'client.auth.failed',
        'client.created',
      ]);
      expect(await query(`until=${end.toISOString()}&action=client.*`, middle)).toEqual(['client.secret.rotated']);
      expect(await query('', end)).toEqual([]);
      expect(await query('until=2000-01-01T00:00:00Z', new Date('2999-01-01T00:00:00Z'))).toEqual([]);
    });

    it('pages newest first with before/nextCursor, without gaps or repeats', async () => {
      clock.advance(60_000);
      const since = clock.now().toISOString();
      for (let index = 0; index < 5; index += 1)
        await server.api('POST', '/api/resources', {
          indicator: `https://page-${index}.tollgate.test`,
          name: `page ${index}`,
          scopes: [],
        });
      const all = (await server.api('GET', `/api/audit?since=${since}&action=resource.created`)).body;
      expect(all.items).toHaveLength(5);
      expect(all.nextCursor).toBeNull();

      const seen: number[] = [];
      let cursor: number | null = null;
      let pages = 0;
      do {
        const page: JsonResponse = await server.api(
          'GET',
          `/api/audit?since=${since}&action=resource.created&limit=2${cursor ? `&before=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((event: { id: number }) => event.id));
        cursor = page.body.nextCursor;
        if (cursor !== null) expect(cursor).toBe(page.body.items.at(-1).id);
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(all.items.map((event: { id: number }) => event.id));
      expect(seen).toEqual([...seen].sort((a, b) => b - a));
      expect(all.items.map((event: { details: { indicator: string } }) => event.details.indicator)).toEqual(
        [4, 3, 2, 1, 0].map((index) => `https://page-${index}.tollgate.test`),
      );
    });

    it.each([
      'limit=0',
      'limit=201',
      'limit=ten',
      'limit=2&limit=3',
      'before=0',
      'before=-5',
      'before=abc',
      'since=yesterday',
      'until=2024-13-01',
      'outcome=maybe',
      'action=Token%20Issued',
      'action=token.*.issued',
      'action=a&action=b',
      `actor=${'a'.repeat(129)}`,
      'unknown=1',
    ])('refuses the query %s (400)', async (query) => {
      expectInvalid(await server.api('GET', `/api/audit?${query}`));
    });

    it('numbers audit and revocation events past 2^31 − 1 (64-bit ids), and pages with such cursors', async () => {
      // A busy token endpoint audits every issuance: PostgreSQL's 32-bit serial would run out in weeks.
      const beyond = 2 ** 31 + 10;
      await movePastId(server.dataSource, 'audit_events', beyond);
      await movePastId(server.dataSource, 'revocation_events', beyond);
      const client = await server.createClient({
        name: 'past 2^31',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      expect((await server.api('POST', `/api/clients/${client.id}/revoke-tokens`)).status).toBe(200);

      const events = (await server.api('GET', `/api/audit?credential=${client.id}`)).body.items;
      expect(events.map((event: { action: string; id: unknown }) => [event.action, typeof event.id])).toEqual([
        ['client.tokens.revoked', 'number'],
        ['client.created', 'number'],
      ]);
      expect(events[1].id).toBeGreaterThan(beyond);
      const older = await server.api('GET', `/api/audit?credential=${client.id}&before=${events[0].id}`);
      expect(older.body.items.map((event: { id: number }) => event.id)).toEqual([events[1].id]);

      const reader = await server.createClient({
        name: 'feed reader',
        grants: [{ resource: server.managementApi, scopes: ['revocations:read'] }],
      });
      const feedToken = await server.token(reader.id, reader.secret, { resource: server.managementApi });
      const feed = await server.api('GET', `/api/revocations?after=${beyond}`, undefined, feedToken);
      expect(feed.status).toBe(200);
      expect(feed.body.items).toEqual([
        expect.objectContaining({
          type: 'subject.revoked_before',
          kind: 'client',
          id: client.id,
          seq: String(beyond + 1),
        }),
      ]);
    });

    it('accepts any cursor up to 2^53 − 1, and refuses larger ones (400, not a database error)', async () => {
      expect((await server.api('GET', `/api/audit?before=${Number.MAX_SAFE_INTEGER}&limit=1`)).body.items).toHaveLength(
        1,
      );
      expectInvalid(await server.api('GET', `/api/audit?before=${2 ** 53}`), 'before');
      expectInvalid(await server.api('GET', '/api/audit?before=99999999999999999999'), 'before');
    });
  });
});
