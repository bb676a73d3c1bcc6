import { ManualClock } from '@tollgate/platform';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import pg from 'pg';
import { loadAuthServerConfig } from '../../apps/auth-server/src/config/auth-server.config.js';
import { KeyEncryption } from '../../apps/auth-server/src/signing-keys/key-encryption.js';
import { JWKS_MAX_AGE_SECONDS } from '../../apps/auth-server/src/signing-keys/signing-keys.service.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  KEY_ENCRYPTION_SECRET,
} from '../support/auth-server.harness.js';
import { type TestDatabase, testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const DAY_MS = 86_400_000;

interface SigningKeyRow {
  kid: string;
  alg: string;
  state: string;
  publicJwk: string | JWK;
  encryptedPrivateKey: string;
}

async function jwks(server: AuthServerHarness): Promise<JWK[]> {
  const response = await server.request('GET', '/.well-known/jwks.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
  return response.body.keys;
}

function kidsOf(keys: JWK[]): string[] {
  return keys.map((key) => key.kid!).sort();
}

/** oauth4webapi as an independent resource server, with a fresh JWKS cache each time. */
async function validate(
  server: AuthServerHarness,
  token: string,
  audience: string,
): Promise<oauth.JWTAccessTokenClaims> {
  const as = { issuer: server.issuer, jwks_uri: `${server.issuer}/.well-known/jwks.json` };
  return oauth.validateJwtAccessToken(
    as,
    new Request(audience, { headers: { authorization: `Bearer ${token}` } }),
    audience,
    { [oauth.allowInsecureRequests]: true },
  );
}

/** Sessions open on a PostgreSQL test database (0 for SQLite, which has none to leak). */
async function openSessions(database: TestDatabase): Promise<number> {
  if (database.config.type !== 'postgres') return 0;
  const url = new URL(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [url.pathname.slice(1)],
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function signingKeyRows(server: AuthServerHarness): Promise<SigningKeyRow[]> {
  return server.dataSource.createQueryBuilder().select('*').from('signing_keys', 'k').getRawMany();
}

describe.each(testDatabases())('metadata, JWKS and signing keys on $name', ({ create }) => {
  describe('metadata (RFC 8414)', () => {
    let server: AuthServerHarness;
    beforeAll(async () => {
      server = await AuthServerHarness.start({ database: await create() });
    });
    afterAll(() => server.stop());

    it('describes every endpoint and method, with the issuer exactly as configured', async () => {
      const response = await server.request('GET', '/.well-known/oauth-authorization-server');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      const methods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
      const assertionAlgs = [
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
      ];
      expect(response.body).toEqual({
        issuer: server.issuer,
        token_endpoint: `${server.issuer}/oauth/token`,
        jwks_uri: `${server.issuer}/.well-known/jwks.json`,
        introspection_endpoint: `${server.issuer}/oauth/introspect`,
        revocation_endpoint: `${server.issuer}/oauth/revoke`,
        device_authorization_endpoint: `${server.issuer}/oauth/device_authorization`,
        response_types_supported: [],
        grant_types_supported: [
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:token-exchange',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        token_endpoint_auth_methods_supported: methods,
        token_endpoint_auth_signing_alg_values_supported: assertionAlgs,
        introspection_endpoint_auth_methods_supported: methods,
        introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
        revocation_endpoint_auth_methods_supported: methods,
        revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
        access_token_signing_alg_values_supported: ['ES256', 'EdDSA'],
        dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
        token_exchange_subject_token_types_supported: ['urn:tollgate:params:oauth:token-type:pat'],
        service_documentation: `${server.issuer}/docs`,
        management_api_resource: `${server.issuer}/api`,
        revocation_feed_endpoint: `${server.issuer}/api/revocations/stream`,
        usage_endpoint: `${server.issuer}/api/usage`,
      });
      expect(response.body.issuer).not.toMatch(/\/$/);
    });

    it('advertises the management API, the revocation feed and the usage endpoint as absolute URLs under the issuer, which answer a token for that API', async () => {
      const { body: metadata } = await server.request('GET', '/.well-known/oauth-authorization-server');
      for (const member of ['management_api_resource', 'revocation_feed_endpoint', 'usage_endpoint']) {
        const value = metadata[member];
        expect({
          member,
          absolute: URL.canParse(value),
          underIssuer: String(value).startsWith(`${server.issuer}/`),
        }).toEqual({ member, absolute: true, underIssuer: true });
      }
      const reporter = await server.createClient({
        name: 'resource server',
        grants: [{ resource: metadata.management_api_resource, scopes: ['usage:write', 'revocations:read'] }],
      });
      const token = await server.token(reporter.id, reporter.secret, { resource: metadata.management_api_resource });

      const usage = (authorization?: string) =>
        fetch(metadata.usage_endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
          body: JSON.stringify({ uses: [], denials: [] }),
        });
      expect((await usage()).status).toBe(401);
      const accepted = await usage(`Bearer ${token}`);
      expect(accepted.status).toBe(202);

      const feed = (authorization?: string, signal?: AbortSignal) =>
        fetch(metadata.revocation_feed_endpoint, {
          headers: { accept: 'text/event-stream', ...(authorization && { authorization }) },
          signal,
        });
      expect((await feed()).status).toBe(401);
      const stream = new AbortController();
      const streaming = await feed(`Bearer ${token}`, stream.signal);
      expect({ status: streaming.status, type: streaming.headers.get('content-type') }).toEqual({
        status: 200,
        type: expect.stringMatching(/^text\/event-stream/),
      });
      stream.abort();
    });

    it('passes oauth4webapi’s RFC 8414 validation (issuer match) and every advertised endpoint answers', async () => {
      const issuer = new URL(server.issuer);
      const discovered = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
      );
      expect(discovered.issuer).toBe(server.issuer);

      const post = (url: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'token=x&grant_type=client_credentials',
        });
      for (const endpoint of [
        discovered.token_endpoint!,
        discovered.introspection_endpoint!,
        discovered.revocation_endpoint!,
      ]) {
        const response = await post(endpoint);
        expect({ endpoint, status: response.status, body: await response.json() }).toEqual({
          endpoint,
          status: 401,
          body: { error: 'invalid_client', error_description: 'Client authentication is required' },
        });
      }
      expect((await fetch(discovered.jwks_uri!)).status).toBe(200);
      expect((await fetch(discovered.service_documentation!)).status).toBe(200);
    });

    it('serves metadata at the root well-known path only (the issuer has no path)', async () => {
      expect((await server.request('GET', '/.well-known/oauth-authorization-server/tenant')).status).toBe(404);
    });
  });

  describe('JWKS and rotation', () => {
    const clock = new ManualClock(Date.now());
    let server: AuthServerHarness;
    let crmClient: { id: string; secret: string };

    beforeAll(async () => {
      server = await AuthServerHarness.start({ database: await create(), clock });
      await server.createResource(CRM, ['contacts:read'], { accessTokenTtl: 3600 });
      crmClient = await server.createClient({
        name: 'crm reader',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
    });
    afterAll(() => server.stop());

    it('publishes the current and next ES256 keys: public members only, RFC 7638 kids, unique', async () => {
      const keys = await jwks(server);
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        expect(key).toEqual({
          kty: 'EC',
          crv: 'P-256',
          x: expect.any(String),
          y: expect.any(String),
          kid: await calculateJwkThumbprint(key),
          alg: 'ES256',
          use: 'sig',
        });
        for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      }
      expect(new Set(kidsOf(keys)).size).toBe(keys.length);

      const listed = await server.api('GET', '/api/signing-keys');
      expect(listed.status).toBe(200);
      expect(listed.body.map((key: { state: string }) => key.state).sort()).toEqual(['current', 'next']);
      expect(listed.body.map((key: { kid: string }) => key.kid).sort()).toEqual(kidsOf(keys));
      for (const key of listed.body)
        expect(Object.keys(key).sort()).toEqual([
          'activatedAt',
          'alg',
          'createdAt',
          'deactivatedAt',
          'kid',
          'retiredAt',
          'state',
        ]);
    });

    it('refuses to rotate while the next key is younger than the JWKS cache lifetime: 409 with Retry-After, nothing changed', async () => {
      const before = (await server.api('GET', '/api/signing-keys')).body;
      const jwksResponse = await fetch(`${server.issuer}/.well-known/jwks.json`);
      expect(jwksResponse.headers.get('cache-control')).toBe(`public, max-age=${JWKS_MAX_AGE_SECONDS}`);

      const refused = await server.api('POST', '/api/signing-keys/rotate');
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        type: 'urn:tollgate:problem:next_key_not_yet_known',
        status: 409,
        detail: expect.stringContaining('"immediately": true if the current key is compromised'),
      });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(JWKS_MAX_AGE_SECONDS);
      for (const body of [{ immediately: 'yes' }, { immediately: 1 }, { force: true }]) {
        expect((await server.api('POST', '/api/signing-keys/rotate', body)).status).toBe(400);
      }
      expect((await server.api('GET', '/api/signing-keys')).body).toEqual(before);
    });

    it('rotates next → current → previous: old tokens keep verifying, new tokens carry the new kid', async () => {
      const before = await server.api('GET', '/api/signing-keys');
      const current = before.body.find((key: { state: string }) => key.state === 'current').kid;
      const next = before.body.find((key: { state: string }) => key.state === 'next').kid;
      const oldCrmToken = await server.token(crmClient.id, crmClient.secret);
      const oldAdminToken = await server.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
      expect(decodeProtectedHeader(oldCrmToken).kid).toBe(current);

      // The next key has been published as long as verifiers may cache the key set.
      clock.advance(JWKS_MAX_AGE_SECONDS * 1000);
      const rotated = await server.api('POST', '/api/signing-keys/rotate', undefined, oldAdminToken);
      expect({ status: rotated.status, body: rotated.body }).toEqual({
        status: 200,
        body: { current: next, previous: current, next: expect.any(String) },
      });
      const fresh = rotated.body.next;
      expect([current, next]).not.toContain(fresh);

      expect(kidsOf(await jwks(server))).toEqual([current, next, fresh].sort());
      const states = Object.fromEntries(
        (await server.api('GET', '/api/signing-keys')).body.map((key: { kid: string; state: string }) => [
          key.kid,
          key.state,
        ]),
      );
      expect(states).toEqual({ [current]: 'previous', [next]: 'current', [fresh]: 'next' });

      // Tokens signed before the rotation: the management API, introspection and an independent RS accept them.
      expect((await server.api('GET', '/api/resources', undefined, oldAdminToken)).status).toBe(200);
      expect((await server.form('/oauth/introspect', { token: oldCrmToken }, crmClient)).body).toMatchObject({
        active: true,
      });
      expect(await validate(server, oldCrmToken, CRM)).toMatchObject({ client_id: crmClient.id });

      const newCrmToken = await server.token(crmClient.id, crmClient.secret);
      expect(decodeProtectedHeader(newCrmToken)).toEqual({ alg: 'ES256', kid: next, typ: 'at+jwt' });
      expect(await validate(server, newCrmToken, CRM)).toMatchObject({ client_id: crmClient.id });
      expect(
        (await server.api('GET', '/api/resources', undefined, await server.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)))
          .status,
      ).toBe(200);

      const audit = await server.api('GET', '/api/audit?action=signing-key.rotated');
      expect(audit.body.items[0]).toMatchObject({
        action: 'signing-key.rotated',
        outcome: 'success',
        actor: { type: 'client', id: ADMIN_CLIENT_ID },
        credential: { type: 'signing_key', id: next },
        details: { current: next, previous: current, next: fresh },
      });
    });

    it('retires a previous key from the JWKS once every token it signed has expired (24 h)', async () => {
      const states = async () =>
        Object.fromEntries(
          (await server.api('GET', '/api/signing-keys')).body.map((key: { kid: string; state: string }) => [
            key.kid,
            key.state,
          ]),
        );
      const before = await states();
      const previous = Object.keys(before).filter((kid) => before[kid] === 'previous');
      expect(previous).toHaveLength(1);

      clock.advance(DAY_MS + 1000);
      const rotated = await server.api('POST', '/api/signing-keys/rotate');
      expect(rotated.status).toBe(200);
      const after = await states();
      expect(after[previous[0]]).toBe('retired');
      expect(kidsOf(await jwks(server))).toEqual(
        [rotated.body.previous, rotated.body.current, rotated.body.next].sort(),
      );
      expect(kidsOf(await jwks(server))).not.toContain(previous[0]);
      const retired = (await server.api('GET', '/api/signing-keys')).body.find(
        (key: { kid: string }) => key.kid === previous[0],
      );
      expect(retired).toMatchObject({
        state: 'retired',
        retiredAt: clock.now().toISOString(),
        deactivatedAt: expect.any(String),
      });
    });

    it('stores private keys sealed: no row of any table holds a private JWK member', async () => {
      const rows = await signingKeyRows(server);
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const table of server.dataSource.entityMetadatas.map((metadata) => metadata.tableName)) {
        const all = await server.dataSource.createQueryBuilder().select('*').from(table, 't').getRawMany();
        expect({ table, leaked: /"(d|p|q|dp|dq|qi|k)"\s*:/.test(JSON.stringify(all)) }).toEqual({
          table,
          leaked: false,
        });
      }
      const encryption = new KeyEncryption(KEY_ENCRYPTION_SECRET);
      for (const row of rows) {
        expect(row.encryptedPrivateKey).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
        // The scan above could fail: the sealed value does hold the private key, bound to its kid.
        const opened = JSON.parse(encryption.open(row.encryptedPrivateKey, row.kid)) as JWK;
        const publicJwk = (typeof row.publicJwk === 'string' ? JSON.parse(row.publicJwk) : row.publicJwk) as JWK;
        expect(opened).toMatchObject({ kty: 'EC', d: expect.any(String), x: publicJwk.x, y: publicJwk.y });
        expect(() => encryption.open(row.encryptedPrivateKey, `${row.kid}x`)).toThrow();
        expect(() => new KeyEncryption(`${KEY_ENCRYPTION_SECRET}x`).open(row.encryptedPrivateKey, row.kid)).toThrow();
      }
    });
  });

  describe('SIGNING_ALG=EdDSA', () => {
    let server: AuthServerHarness;
    beforeAll(async () => {
      server = await AuthServerHarness.start({ database: await create(), env: { SIGNING_ALG: 'EdDSA' } });
      await server.createResource(CRM, ['contacts:read']);
    });
    afterAll(() => server.stop());

    it('signs with Ed25519 keys, published as OKP public keys', async () => {
      const keys = await jwks(server);
      expect(keys).toHaveLength(2);
      for (const key of keys)
        expect(key).toEqual({
          kty: 'OKP',
          crv: 'Ed25519',
          x: expect.any(String),
          kid: await calculateJwkThumbprint(key),
          alg: 'EdDSA',
          use: 'sig',
        });

      const client = await server.createClient({
        name: 'eddsa',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const token = await server.token(client.id, client.secret);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: expect.any(String), typ: 'at+jwt' });
      expect(await validate(server, token, CRM)).toMatchObject({ client_id: client.id, aud: CRM });
      expect((await server.form('/oauth/introspect', { token }, client)).body).toMatchObject({ active: true });
      expect((await server.api('GET', '/api/clients')).status).toBe(200);
    });

    it('keeps EdDSA across rotation', async () => {
      const rotated = await server.api('POST', '/api/signing-keys/rotate', { immediately: true });
      expect(rotated.status).toBe(200);
      expect((await jwks(server)).every((key) => key.alg === 'EdDSA')).toBe(true);
      const token = await server.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: rotated.body.current });
      expect((await server.api('GET', '/api/resources', undefined, token)).status).toBe(200);
    });
  });

  describe('restarting on the same database', () => {
    it('refuses to start with a different KEY_ENCRYPTION_SECRET, with an error naming it', async () => {
      const database = await create();
      try {
        const first = await AuthServerHarness.start({ database, keepDatabase: true });
        const kid = decodeProtectedHeader(await first.admin()).kid;
        await first.stop();

        const port = first.config.port;
        await expect(
          AuthServerHarness.start({
            database,
            keepDatabase: true,
            port,
            env: { KEY_ENCRYPTION_SECRET: 'a-different-key-encryption-secret-0123456789' },
          }),
        ).rejects.toThrow('KEY_ENCRYPTION_SECRET does not decrypt the stored signing keys (was it changed?)');
        // The failed start closed what it opened. A PostgreSQL backend leaves pg_stat_activity a moment
        // after its client disconnects, so wait for the count to settle rather than read it once.
        await expect.poll(() => openSessions(database), { timeout: 5_000, interval: 50 }).toBe(0);

        const again = await AuthServerHarness.start({ database, keepDatabase: true, port });
        expect(again.issuer).toBe(first.issuer);
        const token = await again.admin();
        expect(decodeProtectedHeader(token).kid).toBe(kid);
        expect(decodeJwt(token).iss).toBe(again.issuer);
        expect((await again.api('GET', '/api/signing-keys')).body).toHaveLength(2);
        await again.stop();
      } finally {
        await database.drop();
      }
    });

    it('moves the management API, with its grants, when AUTH_ISSUER changes', async () => {
      const database = await create();
      try {
        const first = await AuthServerHarness.start({ database, keepDatabase: true });
        const reader = await first.createClient({
          name: 'feed reader',
          grants: [{ resource: first.managementApi, scopes: ['revocations:read'] }],
        });
        await first.stop();

        // Another port, so another issuer and another management API indicator.
        const moved = await AuthServerHarness.start({ database, keepDatabase: true });
        expect(moved.managementApi).not.toBe(first.managementApi);
        const system = (await moved.api('GET', '/api/resources')).body.filter(
          (resource: { system: boolean }) => resource.system,
        );
        expect(system).toEqual([expect.objectContaining({ indicator: moved.managementApi })]);
        const token = await moved.token(reader.id, reader.secret, { resource: moved.managementApi });
        expect((await moved.api('GET', '/api/revocations', undefined, token)).status).toBe(200);
        await moved.stop();
      } finally {
        await database.drop();
      }
    });

    it('switches SIGNING_ALG through rotation, never signing with an unannounced key', async () => {
      const database = await create();
      try {
        const first = await AuthServerHarness.start({ database, keepDatabase: true });
        await first.stop();
        const eddsa = await AuthServerHarness.start({
          database,
          keepDatabase: true,
          port: first.config.port,
          env: { SIGNING_ALG: 'EdDSA' },
        });
        expect(decodeProtectedHeader(await eddsa.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)).alg).toBe('ES256');
        // The announced next key (ES256) signs first; the key generated now is EdDSA and signs after the next rotation.
        const once = await eddsa.api('POST', '/api/signing-keys/rotate', { immediately: true });
        expect(decodeProtectedHeader(await eddsa.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET))).toMatchObject({
          alg: 'ES256',
          kid: once.body.current,
        });
        const twice = await eddsa.api(
          'POST',
          '/api/signing-keys/rotate',
          { immediately: true },
          await eddsa.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET),
        );
        expect(twice.body.current).toBe(once.body.next);
        expect(decodeProtectedHeader(await eddsa.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET))).toMatchObject({
          alg: 'EdDSA',
          kid: twice.body.current,
        });
        await eddsa.stop();
      } finally {
        await database.drop();
      }
    });
  });
});

describe('key encryption configuration', () => {
  const base = { AUTH_ISSUER: 'http://127.0.0.1:7400', DATA_DIR: '/tmp/tollgate-config-test' };

  it('refuses a short KEY_ENCRYPTION_SECRET, naming the variable', () => {
    expect(() => loadAuthServerConfig({ ...base, KEY_ENCRYPTION_SECRET: 'too-short' })).toThrow(
      /KEY_ENCRYPTION_SECRET/,
    );
  });

  it('requires KEY_ENCRYPTION_SECRET with PostgreSQL (it is generated only on the embedded default)', () => {
    expect(() =>
      loadAuthServerConfig({ ...base, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tollgate' }),
    ).toThrow(/KEY_ENCRYPTION_SECRET: required with a PostgreSQL DATABASE_URL/);
  });

  it('refuses an unknown SIGNING_ALG', () => {
    expect(() => loadAuthServerConfig({ ...base, SIGNING_ALG: 'HS256' })).toThrow(/SIGNING_ALG/);
  });
});
