import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadServiceAConfig } from '../../apps/service-a/src/config/service-a.config.js';
import { createServiceA } from '../../apps/service-a/src/service-a.app.js';
import { AuthServerHarness, toJson } from '../support/auth-server.harness.js';
import { createSqliteDatabase, type TestDatabase } from '../support/test-databases.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

/** The seed's M2M story with every part real: service-a gets a client-credentials JWT and reads service-b. */
describe('M2M: service-a syncs its audience from service-b', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  const started: { app: NestFastifyApplication; database: TestDatabase }[] = [];

  async function startServiceA(client: { id: string; secret: string }): Promise<string> {
    const database = await createSqliteDatabase();
    const config = loadServiceAConfig({
      AUTH_ISSUER: auth.issuer,
      CLIENT_ID: client.id,
      CLIENT_SECRET: client.secret,
      SERVICE_B_URL: crm.url,
      SERVICE_B_RESOURCE: CRM,
      DATABASE_URL: database.url,
      SYNC_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'silent',
    });
    const app = await createServiceA(config);
    await app.listen(0, '127.0.0.1');
    started.push({ app, database });
    return app.getUrl();
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth);
    const writer = await auth.createClient({ name: 'crm admin script', grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }] });
    const token = await auth.token(writer.id, writer.secret);
    for (const [name, email] of [['Ada Lovelace', 'ada@example.com'], ['Grace Hopper', 'grace@example.com'], ['Alan Turing', 'alan@example.com']]) {
      expect((await crm.bearer(token, 'POST', '/contacts', { name, email })).status).toBe(201);
    }
  });
  afterAll(async () => {
    for (const { app, database } of started) {
      await app.close();
      await database.drop();
    }
    await crm.stop();
    await auth.stop();
  });

  it('syncs every contact with a token for the CRM audience', async () => {
    const serviceA = await auth.createClient({ name: 'service-a', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const url = await startServiceA(serviceA);

    const sync = await toJson(await fetch(`${url}/sync`, { method: 'POST' }));
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ status: 'ok', total: 3, added: 3, removed: 0 });

    const audience = await toJson(await fetch(`${url}/audience`));
    expect(audience.body.items.map((m: { email: string }) => m.email)).toEqual(['ada@example.com', 'alan@example.com', 'grace@example.com']);

    const issued = await auth.api('GET', `/api/audit?action=token.issued&actor=${serviceA.id}`);
    expect(issued.body.items[0].details).toMatchObject({ aud: CRM, scope: 'contacts:read' });
  });

  it('reports clearly when its client is not granted contacts:read', async () => {
    const wrong = await auth.createClient({ name: 'service-a without read access', grants: [{ resource: CRM, scopes: ['contacts:write'] }] });
    const url = await startServiceA(wrong);
    const sync = await toJson(await fetch(`${url}/sync`, { method: 'POST' }));
    expect(sync.status).toBe(502);
    expect(sync.body).toMatchObject({ type: 'urn:tollgate:problem:token_request_refused', detail: expect.stringContaining('invalid_scope') });
  });

  it('reports clearly when its credentials are refused by the auth-server', async () => {
    const url = await startServiceA({ id: 'service-a-unknown', secret: 'tgs_not-a-real-secret-but-long-enough-000000000' });
    const sync = await toJson(await fetch(`${url}/sync`, { method: 'POST' }));
    expect(sync.status).toBe(502);
    expect(sync.body).toMatchObject({ type: 'urn:tollgate:problem:token_request_refused', detail: expect.stringContaining('invalid_client') });
  });
});
