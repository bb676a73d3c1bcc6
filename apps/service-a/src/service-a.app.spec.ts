import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateCredential } from '@tollgate/credentials';
import { openDatabase } from '@tollgate/persistence';
import { ResourceServerVerification } from '@tollgate/verifier';
import { DataSource } from 'typeorm';
import { FakeAuthorizationServer } from '../../../test/support/fake-authorization-server.js';
import { FakeServiceB } from '../../../test/support/fake-service-b.js';
import { createSqliteDatabase, type TestDatabase, testDatabases } from '../../../test/support/test-databases.js';
import { AudienceRepository } from './audience/audience.repository.js';
import type { ServiceAConfig } from './config/service-a.config.js';
import { SERVICE_A_ENTITIES, SERVICE_A_MIGRATIONS, SERVICE_A_MIGRATIONS_TABLE } from './database/service-a.schema.js';
import { createServiceA } from './service-a.app.js';

const RESOURCE = 'https://crm.tollgate.local';
/** service-a's own API. */
const MARKETING = 'https://marketing.tollgate.local';
const SECRET = 'tgs_serviceAsecret0123456789abcdefghijklmnop';

interface Harness {
  authServer: FakeAuthorizationServer;
  serviceB: FakeServiceB;
  database: TestDatabase;
  app?: NestFastifyApplication;
  url: string;
  /** A caller's access token for service-a's API with both its scopes. */
  token: string;
}

let h: Harness;

async function startServiceA(overrides: Partial<ServiceAConfig> = {}): Promise<void> {
  const config: ServiceAConfig = {
    port: 0,
    host: '127.0.0.1',
    dataDir: '/nonexistent',
    database: h.database.config,
    auth: {
      issuer: h.authServer.issuer,
      clientId: 'service-a',
      clientSecret: SECRET,
      authMethod: 'client_secret_basic',
      resourceIndicator: MARKETING,
    },
    serviceB: {
      url: h.serviceB.url,
      resource: RESOURCE,
      scope: 'contacts:read',
      timeoutMs: 5_000,
      tokenBinding: 'none',
    },
    syncIntervalSeconds: 0,
    logLevel: 'silent',
    ...overrides,
  };
  // JWTs only, without the revocation feed, which the fake authorization server does not serve
  // (test/m2m/service-a-sync.e2e-spec.ts runs the real wiring against the real auth-server).
  h.app = await createServiceA(config, {
    verification: new ResourceServerVerification({ issuer: h.authServer.issuer, resource: MARKETING }),
  });
  await h.app.listen(0, '127.0.0.1');
  h.url = await h.app.getUrl();
}

async function stopServiceA(): Promise<void> {
  await h.app?.close();
  h.app = undefined;
}

/** A call to service-a, with the caller's token unless other headers are given. */
async function call(
  method: string,
  path: string,
  headers: Record<string, string> = { authorization: `Bearer ${h.token}` },
) {
  const response = await fetch(`${h.url}${path}`, { method, headers });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    challenge: response.headers.get('www-authenticate'),
    body: (await response.json()) as Record<string, any>,
  };
}

const sync = () => call('POST', '/sync');
const audience = (query = '?limit=100') => call('GET', `/audience${query}`);

/** The stored audience, as GET /audience shows it (all of it). */
async function storedAudience() {
  const members = [];
  for (let offset = 0; ; offset += 100) {
    const { body } = await audience(`?limit=100&offset=${offset}`);
    members.push(...body.items);
    if (offset + 100 >= body.total) return members;
  }
}

beforeEach(async () => {
  const authServer = await FakeAuthorizationServer.start({
    clients: [{ clientId: 'service-a', clientSecret: SECRET, scopes: ['contacts:read'] }],
  });
  const token = await authServer.accessToken({ audience: MARKETING, scope: 'audience:read audience:sync' });
  h = {
    authServer,
    serviceB: await FakeServiceB.start({ authServer, resource: RESOURCE }),
    database: await createSqliteDatabase(),
    url: '',
    token,
  };
});

afterEach(async () => {
  await stopServiceA();
  await h.serviceB.stop().catch(() => undefined);
  await h.authServer.stop().catch(() => undefined);
  await h.database.drop();
});

describe('service-a', () => {
  describe('POST /sync', () => {
    beforeEach(() => startServiceA());

    it('copies every contact into the audience with a token for service-b’s audience and scope', async () => {
      const contacts = h.serviceB.add(3);

      const { status, body } = await sync();

      expect(status).toBe(200);
      expect(body).toEqual({
        id: 1,
        trigger: 'manual',
        status: 'ok',
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        total: 3,
        added: 3,
        updated: 0,
        removed: 0,
        errorCode: null,
        error: null,
      });
      const listed = await audience();
      expect(listed.status).toBe(200);
      expect(listed.body).toMatchObject({ total: 3, limit: 100, offset: 0, lastSync: body });
      expect(listed.body.items).toEqual(
        contacts.map((c) => ({
          contactId: c.id,
          email: c.email,
          name: c.name,
          company: c.company,
          crmUpdatedAt: c.updatedAt,
          addedAt: body.finishedAt,
          updatedAt: body.finishedAt,
          syncedAt: body.finishedAt,
        })),
      );
      expect(h.authServer.tokenRequests.map((r) => r.params)).toEqual([
        { grant_type: ['client_credentials'], scope: ['contacts:read'], resource: [RESOURCE] },
      ]);
    });

    it('pages through all contacts, 100 at a time', async () => {
      h.serviceB.add(250);

      const { status, body } = await sync();

      expect(status).toBe(200);
      expect(body).toMatchObject({ total: 250, added: 250 });
      expect(h.serviceB.requests.map((r) => [r.limit, r.offset])).toEqual([
        ['100', '0'],
        ['100', '100'],
        ['100', '200'],
      ]);
      const lastPage = await audience('?limit=100&offset=200');
      expect(lastPage.body.total).toBe(250);
      expect(lastPage.body.items).toHaveLength(50);
      expect(new Set((await storedAudience()).map((m) => m.contactId))).toEqual(
        new Set(h.serviceB.all().map((c) => c.id)),
      );
    });

    it('adds new contacts, rewrites changed ones and removes deleted ones', async () => {
      const [kept, changed, deleted] = h.serviceB.add(3);
      const first = (await sync()).body;
      h.serviceB.update(changed.id, { email: 'renamed@example.com', company: null });
      h.serviceB.remove(deleted.id);
      const [fresh] = h.serviceB.add(1);

      const { status, body } = await sync();

      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 2, status: 'ok', total: 3, added: 1, updated: 1, removed: 1 });
      const members = new Map((await storedAudience()).map((m) => [m.contactId, m]));
      expect([...members.keys()].sort()).toEqual([kept.id, changed.id, fresh.id].sort());
      expect(members.get(changed.id)).toMatchObject({
        email: 'renamed@example.com',
        company: null,
        updatedAt: body.finishedAt,
        addedAt: first.finishedAt,
      });
      expect(members.get(kept.id)).toMatchObject({ updatedAt: first.finishedAt, syncedAt: body.finishedAt });
    });

    it('reuses its access token across syncs', async () => {
      h.serviceB.add(1);

      await sync();
      await sync();

      expect(h.authServer.tokenRequestCount).toBe(1);
      expect(new Set(h.serviceB.requests.map((r) => r.authorization)).size).toBe(1);
    });

    it('runs once for concurrent calls, which all get that run', async () => {
      h.serviceB.add(5);
      const release = h.serviceB.hold();

      const pending = Array.from({ length: 5 }, () => sync());
      await vi.waitFor(() => expect(h.serviceB.requests).toHaveLength(1));
      release();
      const results = await Promise.all(pending);

      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.body.id))).toEqual(new Set([1]));
      expect(h.serviceB.requests).toHaveLength(1);
      expect((await audience()).body.lastSync.id).toBe(1);
    });

    it('reads the listing again when contacts are deleted while it is paged through, instead of dropping a contact', async () => {
      const contacts = h.serviceB.add(150);
      let interfered = false;
      h.serviceB.beforePage = (offset) => {
        if (offset === 100 && !interfered) {
          interfered = true;
          h.serviceB.remove(contacts[0].id);
        }
      };

      const { status, body } = await sync();

      expect(status).toBe(200);
      expect(body).toMatchObject({ total: 149, added: 149 });
      expect((await storedAudience()).map((m) => m.contactId).sort()).toEqual(
        contacts
          .slice(1)
          .map((c) => c.id)
          .sort(),
      );
    });

    it('leaves the audience untouched when writing it fails half-way', async () => {
      const [first, second] = h.serviceB.add(2);
      await sync();
      h.serviceB.remove(first.id);
      h.serviceB.add(2);
      vi.spyOn(h.app!.get(AudienceRepository), 'remove').mockRejectedValueOnce(new Error('disk full'));

      const { status, type, body } = await sync();

      expect(status).toBe(500);
      expect(type).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({
        type: 'urn:tollgate:problem:sync_failed',
        detail: 'The sync failed inside service-a; the audience is unchanged (see the logs)',
        run: { id: 2, status: 'failed', errorCode: 'sync_failed' },
      });
      expect((await storedAudience()).map((m) => m.contactId).sort()).toEqual([first.id, second.id].sort());
    });
  });

  describe.each(testDatabases())('audience store on $name', ({ create }) => {
    beforeEach(async () => {
      await h.database.drop();
      h.database = await create();
      await startServiceA();
    });

    it('adds, updates and removes members across syncs', async () => {
      const contacts = h.serviceB.add(120);
      expect((await sync()).body).toMatchObject({ status: 'ok', total: 120, added: 120, updated: 0, removed: 0 });
      h.serviceB.update(contacts[5].id, { name: 'Renamed', company: 'Initech' });
      for (const contact of contacts.slice(100)) h.serviceB.remove(contact.id);

      const { status, body } = await sync();

      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', total: 100, added: 0, updated: 1, removed: 20 });
      const members = await storedAudience();
      expect(members.map((m) => m.contactId).sort()).toEqual(
        contacts
          .slice(0, 100)
          .map((c) => c.id)
          .sort(),
      );
      expect(members.find((m) => m.contactId === contacts[5].id)).toMatchObject({
        name: 'Renamed',
        company: 'Initech',
        syncedAt: body.finishedAt,
      });
    });
  });

  describe('when a peer fails', () => {
    beforeEach(() => startServiceA());

    it('answers 503 naming the authorization server when it is down, keeps the audience and records the run', async () => {
      h.serviceB.add(2);
      const before = (await sync()).body;
      h.authServer.revokeAll();
      await h.authServer.stop();

      const { status, type, body } = await sync();

      expect(status).toBe(503);
      expect(type).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({
        type: 'urn:tollgate:problem:auth_server_unavailable',
        status: 503,
        detail: expect.stringMatching(
          new RegExp(`^The authorization server at ${h.authServer.issuer} is unreachable \\(connect ECONNREFUSED`),
        ),
        run: {
          id: 2,
          status: 'failed',
          errorCode: 'auth_server_unavailable',
          total: 0,
          added: 0,
          updated: 0,
          removed: 0,
        },
      });
      expect(body.detail).not.toContain(SECRET);
      const listed = await audience();
      expect(listed.body.total).toBe(2);
      expect(listed.body.lastSync).toEqual(body.run);
      const health = await call('GET', '/health', {});
      expect(health).toMatchObject({
        status: 200,
        body: { status: 'ok', syncing: false, lastSync: body.run, lastSuccessfulSyncAt: before.finishedAt },
      });
    });

    it('answers 502 with the reason when the authorization server refuses the client', async () => {
      h.authServer.respondNext({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      });

      const { status, body } = await sync();

      expect(status).toBe(502);
      expect(body).toMatchObject({
        type: 'urn:tollgate:problem:token_request_refused',
        detail: `The authorization server at ${h.authServer.issuer} refused the token request of client "service-a": invalid_client (Client authentication failed)`,
      });
    });

    it('answers 502 with the reason when service-b refuses the token for lack of scope', async () => {
      h.serviceB.add(1);
      h.serviceB.respondNext({
        status: 403,
        body: {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: 'The token lacks the scope contacts:read',
        },
        headers: { 'www-authenticate': 'Bearer realm="crm", error="insufficient_scope", scope="contacts:read"' },
      });

      const { status, body } = await sync();

      expect(status).toBe(502);
      expect(body).toMatchObject({
        type: 'urn:tollgate:problem:service_b_refused_token',
        detail: 'service-b refused our token: insufficient_scope (contacts:read)',
        run: { status: 'failed', errorCode: 'service_b_refused_token' },
      });
      expect(h.serviceB.requests).toHaveLength(1);
    });

    it('retries once with a new token on 401, then answers 502 with service-b’s reason', async () => {
      await stopServiceA();
      await startServiceA({
        serviceB: {
          url: h.serviceB.url,
          resource: 'https://other-api.tollgate.local',
          scope: 'contacts:read',
          timeoutMs: 5_000,
          tokenBinding: 'none',
        },
      });

      const { status, body } = await sync();

      expect(status).toBe(502);
      expect(body.detail).toBe('service-b refused our token: invalid_token (The token is not meant for this API)');
      expect(h.serviceB.requests).toHaveLength(2);
      expect(h.authServer.tokenRequestCount).toBe(2);
    });

    it('answers 503 when service-b is unreachable', async () => {
      await h.serviceB.stop();

      const { status, body } = await sync();

      expect(status).toBe(503);
      expect(body).toMatchObject({
        type: 'urn:tollgate:problem:service_b_unavailable',
        detail: expect.stringMatching(
          new RegExp(`^service-b at ${h.serviceB.url}/ is unreachable \\(connect ECONNREFUSED`),
        ),
      });
    });

    it('answers 504 when service-b does not answer in time', async () => {
      await stopServiceA();
      await startServiceA({
        serviceB: {
          url: h.serviceB.url,
          resource: RESOURCE,
          scope: 'contacts:read',
          timeoutMs: 300,
          tokenBinding: 'none',
        },
      });
      const release = h.serviceB.hold();

      const { status, body } = await sync();
      release();

      expect(status).toBe(504);
      expect(body.detail).toBe(`service-b at ${h.serviceB.url}/ is unreachable (no answer within 300 ms)`);
    });

    it('answers 502 when service-b fails or sends a malformed page, and keeps the audience', async () => {
      h.serviceB.add(2);
      await sync();
      h.serviceB.add(1);
      h.serviceB.respondNext({ status: 500, body: { status: 500, detail: 'database is down' } });

      const failed = await sync();
      expect(failed.status).toBe(502);
      expect(failed.body.detail).toBe(`service-b at ${h.serviceB.url}/ failed (HTTP 500: database is down)`);

      h.serviceB.respondNext({
        status: 200,
        body: {
          items: [
            {
              id: 'not-a-uuid',
              name: 'x',
              email: 'x@example.com',
              company: null,
              createdAt: 'yesterday',
              updatedAt: '2030-01-01T00:00:00Z',
            },
          ],
          total: 1,
        },
      });
      const malformed = await sync();
      expect(malformed.status).toBe(502);
      expect(malformed.body.type).toBe('urn:tollgate:problem:service_b_invalid_response');
      expect(malformed.body.detail).toMatch(
        /^service-b answered an unexpected contacts page: items\.0\.id: id must be a UUID; items\.0\.createdAt: /,
      );

      expect((await audience()).body.total).toBe(2);
      expect((await sync()).body).toMatchObject({ status: 'ok', added: 1 });
    });
  });

  describe('GET /audience and GET /health', () => {
    beforeEach(() => startServiceA());

    it('reports health before any sync, to anyone', async () => {
      expect(await call('GET', '/health', {})).toEqual({
        status: 200,
        type: 'application/json; charset=utf-8',
        challenge: null,
        body: {
          status: 'ok',
          syncing: false,
          lastSync: null,
          lastSuccessfulSyncAt: null,
          authentication: { revocationFeed: 'off' },
        },
      });
    });

    it('answers 503 from /health when the database cannot be read', async () => {
      await h.app!.get(DataSource).destroy();

      const { status, type, body } = await call('GET', '/health');

      expect(status).toBe(503);
      expect(type).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({
        type: 'urn:tollgate:problem:database_unavailable',
        detail: 'service-a cannot read its database',
      });
    });

    it('reports a running sync in /health', async () => {
      const release = h.serviceB.hold();
      const pending = sync();
      await vi.waitFor(() => expect(h.serviceB.requests).toHaveLength(1));

      expect((await call('GET', '/health')).body.syncing).toBe(true);
      release();
      await pending;
      expect((await call('GET', '/health')).body.syncing).toBe(false);
    });

    it('pages the audience by email and refuses out-of-range paging', async () => {
      h.serviceB.add(3);
      await sync();

      const page = await audience('?limit=2&offset=1');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1 });
      expect(page.body.items.map((m: { email: string }) => m.email)).toEqual([
        'contact2@example.com',
        'contact3@example.com',
      ]);
      expect((await audience('')).body).toMatchObject({ limit: 50, offset: 0 });

      for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?offset=-1', '?extra=1']) {
        const refused = await audience(query);
        expect(refused.status, query).toBe(400);
        expect(refused.type).toMatch(/^application\/problem\+json/);
        expect(refused.body).toMatchObject({ status: 400, detail: 'The request is not valid' });
      }
    });

    it('publishes its OpenAPI document', async () => {
      const { status, body } = await call('GET', '/docs/json');

      expect(status).toBe(200);
      expect(Object.keys(body.paths).sort()).toEqual([
        '/.well-known/oauth-protected-resource',
        '/audience',
        '/health',
        '/sync',
      ]);
    });
  });

  describe('authentication of its callers', () => {
    beforeEach(() => startServiceA());

    const routes = [
      { method: 'GET', path: '/audience', scope: 'audience:read', other: 'audience:sync' },
      { method: 'POST', path: '/sync', scope: 'audience:sync', other: 'audience:read' },
    ];
    const token = (options: { audience?: string; scope: string; expiresInSeconds?: number }) =>
      h.authServer.accessToken({ audience: MARKETING, ...options });
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
    // RFC 9728: every challenge names where service-a describes itself.
    const metadataUrl = () => `${h.url}/.well-known/oauth-protected-resource`;

    describe.each(routes)('$method $path', ({ method, path, scope, other }) => {
      it('answers 401 without a credential, with a bare challenge, and neither syncs nor shows the audience', async () => {
        h.serviceB.add(2);

        const { status, type, challenge, body } = await call(method, path, {});

        expect({ status, type, challenge }).toEqual({
          status: 401,
          type: 'application/problem+json; charset=utf-8',
          challenge: `Bearer realm="tollgate", resource_metadata="${metadataUrl()}"`,
        });
        expect(body).toMatchObject({ type: 'urn:tollgate:problem:unauthenticated', status: 401 });
        expect(body).not.toHaveProperty('items');
        expect(h.serviceB.requests).toEqual([]);
      });

      it.each([
        [
          'a token for another audience (the CRM’s)',
          () => token({ audience: RESOURCE, scope: `${scope} contacts:read` }),
          'The access token is not meant for this resource (aud)',
        ],
        ['an expired token', () => token({ scope, expiresInSeconds: -60 }), 'The access token has expired'],
        [
          'a personal access token (JWTs only here)',
          async () => generateCredential('pat'),
          'Only JWT access tokens are accepted here',
        ],
        [
          'an API key (JWTs only here)',
          async () => generateCredential('api_key', { environment: 'live' }),
          'Only JWT access tokens are accepted here',
        ],
      ])('answers 401 invalid_token to %s', async (_case, credential, description) => {
        const { status, challenge, body } = await call(method, path, bearer(await credential()));

        expect(status).toBe(401);
        expect(challenge).toBe(
          `Bearer realm="tollgate", error="invalid_token", error_description="${description}", resource_metadata="${metadataUrl()}"`,
        );
        expect(body).toMatchObject({
          type: 'urn:tollgate:problem:invalid_token',
          error: 'invalid_token',
          error_description: description,
        });
        expect(h.serviceB.requests).toEqual([]);
      });

      it(`answers 403 insufficient_scope to a token without ${scope}`, async () => {
        const { status, challenge, body } = await call(method, path, bearer(await token({ scope: other })));

        expect(status).toBe(403);
        expect(challenge).toBe(
          `Bearer realm="tollgate", error="insufficient_scope", error_description="This request needs the scope ${scope}", scope="${scope}", resource_metadata="${metadataUrl()}"`,
        );
        expect(body).toMatchObject({
          type: 'urn:tollgate:problem:insufficient_scope',
          error: 'insufficient_scope',
          scope,
        });
        expect(h.serviceB.requests).toEqual([]);
      });

      it.each([
        ['a token in the query (RFC 6750 §2.3)', () => ({ query: `?access_token=${h.token}`, headers: {} })],
        [
          'a malformed Authorization header',
          () => ({ query: '', headers: { authorization: `Bearer ${h.token} extra` } }),
        ],
        [
          'two credentials',
          () => ({
            query: '',
            headers: { ...bearer(h.token), 'x-api-key': generateCredential('api_key', { environment: 'live' }) },
          }),
        ],
      ])('answers 400 invalid_request to %s', async (_case, request) => {
        const { query, headers } = request();

        const { status, challenge, body } = await call(method, `${path}${query}`, headers);

        expect(status).toBe(400);
        expect(challenge).toMatch(/^Bearer realm="tollgate", error="invalid_request", error_description="/);
        expect(body).toMatchObject({ type: 'urn:tollgate:problem:invalid_request', error: 'invalid_request' });
        expect(h.serviceB.requests).toEqual([]);
      });

      it(`answers a token with ${scope}`, async () => {
        const { status } = await call(method, path, bearer(await token({ scope })));

        expect(status).toBe(200);
      });
    });

    it('answers concurrent callers, each by its own token', async () => {
      h.serviceB.add(1);
      const [reader, syncer] = await Promise.all([
        token({ scope: 'audience:read' }),
        token({ scope: 'audience:sync' }),
      ]);

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? call('GET', '/audience', bearer(i % 4 === 0 ? reader : syncer))
            : call('POST', '/sync', bearer(i % 4 === 1 ? syncer : reader)),
        ),
      );

      expect(results.map((r) => r.status)).toEqual([200, 200, 403, 403, 200, 200, 403, 403, 200, 200]);
    });
  });

  describe('scheduled sync', () => {
    it('syncs at start and every interval, never two at once', async () => {
      h.serviceB.add(3);
      const release = h.serviceB.hold();
      await startServiceA({ syncIntervalSeconds: 1 });
      await vi.waitFor(() => expect(h.serviceB.requests).toHaveLength(1));
      // The first run is held for longer than the interval: no second run may start meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(h.serviceB.requests).toHaveLength(1);
      release();

      await vi.waitFor(async () => expect((await call('GET', '/health')).body.lastSync?.id).toBeGreaterThanOrEqual(2), {
        timeout: 10_000,
        interval: 100,
      });

      expect(h.serviceB.maxConcurrentRequests).toBe(1);
      expect((await call('GET', '/health')).body.lastSync).toMatchObject({
        trigger: 'schedule',
        status: 'ok',
        total: 3,
      });
    });

    it('retries at the next tick after a failure', async () => {
      h.serviceB.add(2);
      h.authServer.respondNext({ status: 503, body: { error: 'temporarily_unavailable' } });
      await startServiceA({ syncIntervalSeconds: 1 });

      await vi.waitFor(async () => expect((await audience()).body.total).toBe(2), { timeout: 10_000, interval: 100 });

      const database = await openDatabase({
        database: h.database.config,
        entities: SERVICE_A_ENTITIES,
        migrations: SERVICE_A_MIGRATIONS,
        migrationsTableName: SERVICE_A_MIGRATIONS_TABLE,
      });
      try {
        const runs = await database.query('SELECT status, "errorCode", "trigger" FROM sync_runs ORDER BY id LIMIT 2');
        expect(runs).toEqual([
          { status: 'failed', errorCode: 'auth_server_unavailable', trigger: 'schedule' },
          { status: 'ok', errorCode: null, trigger: 'schedule' },
        ]);
      } finally {
        await database.destroy();
      }
    });

    it('stops cleanly on shutdown, cancelling a running sync and recording it', async () => {
      h.serviceB.add(1);
      const release = h.serviceB.hold();
      await startServiceA({ syncIntervalSeconds: 1 });
      await vi.waitFor(() => expect(h.serviceB.requests).toHaveLength(1));

      await stopServiceA();
      release();

      const database = await openDatabase({
        database: h.database.config,
        entities: SERVICE_A_ENTITIES,
        migrations: SERVICE_A_MIGRATIONS,
        migrationsTableName: SERVICE_A_MIGRATIONS_TABLE,
      });
      try {
        expect(await database.query('SELECT status, "errorCode", error FROM sync_runs')).toEqual([
          { status: 'failed', errorCode: 'sync_cancelled', error: 'service-a is shutting down' },
        ]);
        expect(await database.query('SELECT COUNT(*) AS n FROM audience_members')).toEqual([{ n: 0 }]);
      } finally {
        await database.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(h.serviceB.requests).toHaveLength(1);
    });
  });
});
