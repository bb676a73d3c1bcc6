import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RemoteAuthorizationServer, UsageReporter } from '@tollgate/verifier';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createAuthServer } from '../../apps/auth-server/src/auth-server.app.js';
import { loadAuthServerConfig } from '../../apps/auth-server/src/config/auth-server.config.js';
import { loadServiceBConfig } from '../../apps/service-b/src/config/service-b.config.js';
import { createServiceB } from '../../apps/service-b/src/service-b.app.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  basicAuthorization,
  KEY_ENCRYPTION_SECRET,
  toJson,
} from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { freePort } from '../support/free-port.js';
import { type LogLine, memoryLogger } from '../support/memory-logger.js';
import { CRM, CRM_SCOPES } from '../support/service-b.harness.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';

const POSTGRES = process.env.TEST_DATABASE_URL;

/** Ways the database stops accepting the app's connections. */
interface Refusal {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The auth-server on its PostgreSQL database, reached through a proxy, as the database fails under
 * it: what callers see, that it recovers without a restart, and that nothing accepted before the
 * fault is lost.
 */
describe.runIf(POSTGRES)('auth-server on a PostgreSQL outage', () => {
  let admin: pg.Client;
  let authDatabase: TestDatabase;
  let authProxy: FaultProxy;
  let auth: NestFastifyApplication;
  let authUrl: string;
  let authLogs: LogLine[];
  let dataDir: string;
  let serviceBClient: { id: string; secret: string };
  let reader: { id: string; secret: string };

  const form = (path: string, client: { id: string; secret: string }, params: Record<string, string>) =>
    fetch(authUrl + path, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(client.id, client.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(params),
    }).then(toJson);
  const tokenFor = (client: { id: string; secret: string }, resource: string) =>
    form('/oauth/token', client, { grant_type: 'client_credentials', resource });
  async function bearer(client: { id: string; secret: string }, resource: string): Promise<string> {
    const response = await tokenFor(client, resource);
    expect(response.status).toBe(200);
    return response.body.access_token;
  }
  const api = (token: string, method: string, path: string, body?: unknown) =>
    fetch(authUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(toJson);
  const adminClient = { id: ADMIN_CLIENT_ID, secret: ADMIN_CLIENT_SECRET };
  const errorsLogged = (logs: LogLine[]) => logs.filter((line) => line.context === 'Errors');
  const isOutageWarning = (line: LogLine) =>
    line.level === 40 && String(line.msg).startsWith('The database is unreachable');
  const databaseName = (database: TestDatabase) => new URL(database.url).pathname.slice(1);
  /** Ends every session of the app on `database` (from the server's side, as a restart or an operator would). */
  const terminateBackends = (database: TestDatabase) =>
    admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [databaseName(database)],
    );

  const refusals: Refusal[] = [
    { name: 'its port is closed', start: () => authProxy.refuse(), stop: () => authProxy.forward() },
    {
      name: 'it does not allow connections to the database (ALLOW_CONNECTIONS false, sessions terminated)',
      start: async () => {
        await admin.query(`ALTER DATABASE ${databaseName(authDatabase)} ALLOW_CONNECTIONS false`);
        await terminateBackends(authDatabase);
      },
      stop: () =>
        admin.query(`ALTER DATABASE ${databaseName(authDatabase)} ALLOW_CONNECTIONS true`).then(() => undefined),
    },
  ];

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    authDatabase = await createPostgresDatabase(POSTGRES!);
    authProxy = await FaultProxy.start(POSTGRES!);

    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-db-fault-'));
    const port = await freePort();
    authUrl = `http://127.0.0.1:${port}`;
    const authLog = memoryLogger('auth-server');
    authLogs = authLog.logs;
    auth = await createAuthServer(
      loadAuthServerConfig({
        AUTH_ISSUER: authUrl,
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: authProxy.urlFor(authDatabase.url),
        KEY_ENCRYPTION_SECRET,
        BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
        BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
      }),
      { logger: authLog.logger },
    );
    await auth.listen(port, '127.0.0.1');

    const token = await bearer(adminClient, `${authUrl}/api`);
    expect(
      (await api(token, 'POST', '/api/resources', { indicator: CRM, name: 'CRM', scopes: CRM_SCOPES })).status,
    ).toBe(201);
    const createClient = async (body: Record<string, unknown>) => {
      const created = await api(token, 'POST', '/api/clients', body);
      expect(created.status).toBe(201);
      return { id: created.body.id as string, secret: created.body.clientSecret as string };
    };
    reader = await createClient({
      name: 'reader',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    serviceBClient = await createClient({
      name: 'service-b',
      grants: [{ resource: `${authUrl}/api`, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
  }, 120_000);

  afterAll(async () => {
    for (const refusal of refusals) await refusal.stop().catch(() => undefined);
    await auth?.close();
    await authProxy?.close();
    await authDatabase?.drop();
    await admin?.end();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it.each(refusals.map((refusal) => [refusal.name, refusal] as const))(
    'when %s: 503 with Retry-After, one warning, recovery without restart, nothing accepted before lost',
    { timeout: 120_000 },
    async (_name, refusal) => {
      const token = await bearer(adminClient, `${authUrl}/api`);
      const consumer = await api(token, 'POST', '/api/consumers', {
        name: `consumer-${crypto.randomUUID()}`,
        contact: 'ops@example.com',
      });
      const issueKey = async () =>
        (
          await api(token, 'POST', `/api/consumers/${consumer.body.id}/keys`, {
            name: 'k',
            grants: [{ resource: CRM, scopes: ['contacts:read'] }],
          })
        ).body.id as string;
      const [revokedKey, usedKey] = [await issueKey(), await issueKey()];
      expect((await api(token, 'DELETE', `/api/keys/${revokedKey}`)).status).toBe(204);

      // A usage report acknowledged before the outage (written before its 202), and uses counted
      // during it: their report is refused (503) and kept by the resource server until it is accepted.
      const deliveryErrors: unknown[] = [];
      const reporter = new UsageReporter({
        authorizationServer: new RemoteAuthorizationServer(authUrl),
        clientId: serviceBClient.id,
        clientSecret: serviceBClient.secret,
        onError: (error) => deliveryErrors.push(error),
      });
      const use = () =>
        reporter.recordResponse(
          {
            credentialType: 'api_key',
            credentialId: usedKey,
            subject: consumer.body.id,
            scopes: new Set(),
            audience: [],
          },
          200,
          '203.0.113.7',
        );
      for (let request = 0; request < 3; request += 1) use();
      await reporter.flush();
      expect(deliveryErrors).toEqual([]);
      const logged = authLogs.length;

      await refusal.start();
      try {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const issued = await tokenFor(reader, CRM);
          expect(issued.status).toBe(503);
          expect(issued.headers.get('retry-after')).toBe('5');
          expect(issued.headers.get('content-type')).toMatch(/^application\/json/);
          expect(issued.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });

          const listed = await api(token, 'GET', '/api/clients');
          expect(listed.status).toBe(503);
          expect(listed.headers.get('retry-after')).toBe('5');
          expect(listed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(listed.body).toMatchObject({
            type: 'urn:tollgate:problem:database_unavailable',
            title: 'Service Unavailable',
            status: 503,
          });
          // An audit export reads its first batch before it answers: a clear 503, not a truncated file.
          const exported = await api(token, 'GET', '/api/audit/export');
          expect(exported.status).toBe(503);
          expect(exported.body).toMatchObject({ type: 'urn:tollgate:problem:database_unavailable' });
        }
        for (let request = 0; request < 2; request += 1) use();
        await reporter.flush();
        expect(deliveryErrors.length).toBeGreaterThan(0);
        expect(reporter.health().pending).toBe(1);
        // No stack per request: one warning for the whole outage (none if one came less than 30 s ago).
        expect(errorsLogged(authLogs.slice(logged)).map((line) => line.level)).toEqual(
          authLogs.slice(0, logged).some(isOutageWarning) ? [] : [40],
        );
        expect(authLogs.filter(isOutageWarning)).toHaveLength(1);
      } finally {
        await refusal.stop();
      }

      await eventually(async () => expect((await tokenFor(reader, CRM)).status).toBe(200), 30_000, 200);
      const after = await bearer(adminClient, `${authUrl}/api`);
      expect((await api(after, 'GET', `/api/keys/${revokedKey}`)).body.status).toBe('revoked');
      const audit = await api(after, 'GET', `/api/audit?action=api-key.revoked&credential=${revokedKey}`);
      expect(audit.body.items).toHaveLength(1);
      const feed = await api(await bearer(serviceBClient, `${authUrl}/api`), 'GET', '/api/revocations');
      expect(feed.body.items).toContainEqual(
        expect.objectContaining({ type: 'credential.revoked', credentialId: revokedKey }),
      );
      await reporter.flush();
      expect(reporter.health()).toEqual({ pending: 0, dropped: 0 });
      await eventually(
        async () => expect((await api(after, 'GET', `/api/keys/${usedKey}/usage`)).body.totals).toEqual({ '2xx': 5 }),
        15_000,
        250,
      );
      await reporter.stop();
    },
  );

  it(
    'when its sessions are terminated under load: every answer is 200 or 503 with Retry-After, never 500',
    { timeout: 60_000 },
    async () => {
      const statuses: number[] = [];
      let running = true;
      const client = async () => {
        while (running) {
          const response = await tokenFor(reader, CRM);
          statuses.push(response.status);
          if (response.status === 503) expect(response.headers.get('retry-after')).toBe('5');
        }
      };
      const clients = Array.from({ length: 6 }, client);
      for (let round = 0; round < 5; round += 1) {
        await eventually(() => expect(statuses.length).toBeGreaterThan(round * 20), 20_000, 10);
        await terminateBackends(authDatabase);
      }
      running = false;
      await Promise.all(clients);
      console.info(
        `token requests while sessions were terminated: ${statuses.filter((status) => status === 200).length} × 200, ${statuses.filter((status) => status === 503).length} × 503`,
      );
      expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
      // Right after the last termination the pool may still be reconnecting (503 + Retry-After, as above).
      await eventually(async () => expect((await tokenFor(reader, CRM)).status).toBe(200), 30_000, 200);
    },
  );
});

/** service-b on its own PostgreSQL database, reached through a proxy (the auth-server is a test harness on SQLite). */
describe.runIf(POSTGRES)('service-b on a PostgreSQL outage', () => {
  let auth: AuthServerHarness;
  let crmDatabase: TestDatabase;
  let crmProxy: FaultProxy;
  let crm: NestFastifyApplication;
  let crmUrl: string;
  let crmLogs: LogLine[];
  let reader: { id: string; secret: string };

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    await auth.createResource(CRM, CRM_SCOPES);
    reader = await auth.createClient({ grants: [{ resource: CRM, scopes: CRM_SCOPES }] });
    const introspector = await auth.createClient({
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
    crmDatabase = await createPostgresDatabase(POSTGRES!);
    crmProxy = await FaultProxy.start(POSTGRES!);
    // Created last: Nest's logger is process-wide, so its lines go to this app's logger.
    const log = memoryLogger('service-b');
    crmLogs = log.logs;
    crm = await createServiceB(
      loadServiceBConfig({
        AUTH_ISSUER: auth.issuer,
        RESOURCE_INDICATOR: CRM,
        DATABASE_URL: crmProxy.urlFor(crmDatabase.url),
        CLIENT_ID: introspector.id,
        CLIENT_SECRET: introspector.secret,
      }),
      { logger: log.logger },
    );
    await crm.listen(0, '127.0.0.1');
    crmUrl = await crm.getUrl();
  }, 120_000);

  afterAll(async () => {
    await crm?.close();
    await auth?.stop();
    await crmProxy?.close();
    await crmDatabase?.drop();
  }, 60_000);

  const errorsLogged = (logs: LogLine[]) => logs.filter((line) => line.context === 'Errors');

  it(
    'its own database refusing: 503 problem details with Retry-After, one warning, and recovery',
    { timeout: 60_000 },
    async () => {
      const token = await auth.token(reader.id, reader.secret, { resource: CRM });
      const created = await fetch(`${crmUrl}/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ada', email: 'ada@example.com' }),
      });
      expect(created.status).toBe(201);
      const logged = crmLogs.length;
      await crmProxy.refuse();
      try {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const listed = await fetch(`${crmUrl}/contacts`, { headers: { authorization: `Bearer ${token}` } }).then(
            toJson,
          );
          expect(listed.status).toBe(503);
          expect(listed.headers.get('retry-after')).toBe('5');
          expect(listed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(listed.body).toMatchObject({ type: 'urn:tollgate:problem:database_unavailable', status: 503 });
        }
        expect(errorsLogged(crmLogs.slice(logged)).map((line) => line.level)).toEqual([40]);
      } finally {
        await crmProxy.forward();
      }
      await eventually(
        async () => {
          const listed = await fetch(`${crmUrl}/contacts`, { headers: { authorization: `Bearer ${token}` } }).then(
            toJson,
          );
          expect(listed.status).toBe(200);
          expect(JSON.stringify(listed.body)).toContain('ada@example.com');
        },
        30_000,
        200,
      );
    },
  );
});
