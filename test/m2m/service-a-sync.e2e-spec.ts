import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateCredential } from '@tollgate/credentials';
import { loadServiceAConfig } from '../../apps/service-a/src/config/service-a.config.js';
import { createServiceA } from '../../apps/service-a/src/service-a.app.js';
import { AuthServerHarness, type JsonResponse, toJson } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { createSqliteDatabase, type TestDatabase } from '../support/test-databases.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

/** service-a's own API (its resource and scopes, as the seed provisions them). */
const MARKETING = 'https://marketing.tollgate.local';
const AUDIENCE_SCOPES = ['audience:read', 'audience:sync'];

/** The seed's M2M story with every part real: service-a gets a client-credentials JWT and reads service-b. */
describe('M2M: service-a syncs its audience from service-b', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  /** Calls service-a's API, as the demo's campaign tool does. */
  let caller: { id: string; secret: string };
  const started: { app: NestFastifyApplication; database: TestDatabase }[] = [];

  /** service-a as main.ts builds it (verification with its revocation feed included). */
  async function startServiceA(
    client: { id: string; secret: string },
    env: Record<string, string> = {},
  ): Promise<string> {
    const database = await createSqliteDatabase();
    const config = loadServiceAConfig({
      AUTH_ISSUER: auth.issuer,
      CLIENT_ID: client.id,
      CLIENT_SECRET: client.secret,
      RESOURCE_INDICATOR: MARKETING,
      SERVICE_B_URL: crm.url,
      SERVICE_B_RESOURCE: CRM,
      DATABASE_URL: database.url,
      SYNC_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const app = await createServiceA(config);
    await app.listen(0, '127.0.0.1');
    started.push({ app, database });
    return app.getUrl();
  }

  /** service-a's client as the seed provisions it: contacts:read on the CRM, the revocation feed on the management API. */
  const serviceAClient = (name: string, crmScopes = ['contacts:read'], extra: Record<string, unknown> = {}) =>
    auth.createClient({
      name,
      grants: [
        { resource: CRM, scopes: crmScopes },
        { resource: auth.managementApi, scopes: ['revocations:read'] },
      ],
      ...extra,
    });

  const callerToken = (scope = AUDIENCE_SCOPES.join(' ')) =>
    auth.token(caller.id, caller.secret, { resource: MARKETING, scope });

  async function call(
    url: string,
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<JsonResponse> {
    return toJson(await fetch(`${url}${path}`, { method, headers }));
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth);
    await auth.createResource(MARKETING, AUDIENCE_SCOPES);
    caller = await auth.createClient({
      name: 'campaign tool',
      grants: [{ resource: MARKETING, scopes: AUDIENCE_SCOPES }],
    });
    const writer = await auth.createClient({
      name: 'crm admin script',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    const token = await auth.token(writer.id, writer.secret);
    for (const [name, email] of [
      ['Ada Lovelace', 'ada@example.com'],
      ['Grace Hopper', 'grace@example.com'],
      ['Alan Turing', 'alan@example.com'],
    ]) {
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

  it('syncs every contact with a token for the CRM audience, when called with a token for its own', async () => {
    const serviceA = await serviceAClient('service-a');
    const url = await startServiceA(serviceA);
    const token = await callerToken();

    const sync = await call(url, 'POST', '/sync', bearer(token));
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ status: 'ok', total: 3, added: 3, removed: 0 });

    const audience = await call(url, 'GET', '/audience', bearer(token));
    expect(audience.body.items.map((m: { email: string }) => m.email)).toEqual([
      'ada@example.com',
      'alan@example.com',
      'grace@example.com',
    ]);

    const issued = await auth.api('GET', `/api/audit?action=token.issued&actor=${serviceA.id}`);
    expect(issued.body.items.map((item: { details: object }) => item.details)).toContainEqual(
      expect.objectContaining({ aud: CRM, scope: 'contacts:read' }),
    );
  });

  it('reports clearly when its client is not granted contacts:read', async () => {
    const wrong = await serviceAClient('service-a without read access', ['contacts:write']);
    const url = await startServiceA(wrong);
    const sync = await call(url, 'POST', '/sync', bearer(await callerToken()));
    expect(sync.status).toBe(502);
    expect(sync.body).toMatchObject({
      type: 'urn:tollgate:problem:token_request_refused',
      detail: expect.stringContaining('invalid_scope'),
    });
  });

  it('reports clearly when its credentials are refused by the auth-server', async () => {
    const url = await startServiceA({ id: 'service-a-unknown', secret: generateCredential('client_secret') });
    const sync = await call(url, 'POST', '/sync', bearer(await callerToken()));
    expect(sync.status).toBe(502);
    expect(sync.body).toMatchObject({
      type: 'urn:tollgate:problem:token_request_refused',
      detail: expect.stringContaining('invalid_client'),
    });
  });

  it('follows the revocation feed with a client that authenticates with client_secret_post', async () => {
    const client = await serviceAClient('service-a (post)', ['contacts:read'], {
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    const url = await startServiceA(client, { CLIENT_AUTH_METHOD: 'client_secret_post' });

    await eventually(
      async () =>
        expect((await call(url, 'GET', '/health', {})).body.authentication).toEqual({ revocationFeed: 'connected' }),
      10_000,
    );
    expect((await call(url, 'POST', '/sync', bearer(await callerToken()))).body).toMatchObject({ status: 'ok' });
  });

  describe('its own API', () => {
    let url: string;

    beforeAll(async () => {
      url = await startServiceA(await serviceAClient('service-a (API)'));
      await eventually(
        async () =>
          expect((await call(url, 'GET', '/health', {})).body.authentication).toMatchObject({
            revocationFeed: 'connected',
          }),
        10_000,
      );
    });

    describe.each([
      { method: 'GET', path: '/audience', scope: 'audience:read', other: 'audience:sync' },
      { method: 'POST', path: '/sync', scope: 'audience:sync', other: 'audience:read' },
    ])('$method $path', ({ method, path, scope, other }) => {
      it('refuses an anonymous caller: 401 with a bare challenge, no contact shown', async () => {
        const { status, headers, body } = await call(url, method, path, {});

        expect(status).toBe(401);
        expect(headers.get('www-authenticate')).toBe(
          `Bearer realm="tollgate", resource_metadata="${url}/.well-known/oauth-protected-resource"`,
        );
        expect(body).toMatchObject({ type: 'urn:tollgate:problem:unauthenticated' });
        expect(JSON.stringify(body)).not.toContain('@example.com');
      });

      it('refuses a token for the CRM (another audience): 401 invalid_token', async () => {
        const crmReader = await auth.createClient({
          name: 'crm reader',
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        });

        const { status, body } = await call(
          url,
          method,
          path,
          bearer(await auth.token(crmReader.id, crmReader.secret)),
        );

        expect(status).toBe(401);
        expect(body).toMatchObject({
          error: 'invalid_token',
          error_description: 'The access token is not meant for this resource (aud)',
        });
      });

      it(`refuses a token without ${scope}: 403 insufficient_scope`, async () => {
        const { status, headers, body } = await call(url, method, path, bearer(await callerToken(other)));

        expect(status).toBe(403);
        expect(headers.get('www-authenticate')).toContain(`error="insufficient_scope"`);
        expect(body).toMatchObject({ error: 'insufficient_scope', scope });
      });

      it('refuses a token in the query: 400 invalid_request', async () => {
        const { status, body } = await call(url, method, `${path}?access_token=${await callerToken()}`, {});

        expect(status).toBe(400);
        expect(body).toMatchObject({ error: 'invalid_request' });
      });
    });

    it('refuses a token at once when it is revoked (RFC 7009), through the revocation feed', async () => {
      const token = await callerToken();
      expect((await call(url, 'GET', '/audience', bearer(token))).status).toBe(200);

      expect((await auth.form('/oauth/revoke', { token }, caller)).status).toBe(200);

      await eventually(
        async () =>
          expect((await call(url, 'GET', '/audience', bearer(token))).body).toMatchObject({ error: 'invalid_token' }),
        5_000,
      );
      expect((await call(url, 'GET', '/audience', bearer(await callerToken()))).status).toBe(200);
    });
  });
});
