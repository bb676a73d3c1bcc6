import { createAuthServerApi, createCrmApi, expectAnswer, formRequest, TollgateApiError } from '@tollgate/api-client';
import { ClientCredentialsTokenProvider, createAuthorizedFetch } from '@tollgate/m2m-client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

/** The client generated from docs/openapi (libs/api-client) against the real apps. */
describe('the generated API client', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth);
  });

  afterAll(async () => {
    await crm?.stop();
    await auth?.stop();
  });

  const adminApi = () =>
    createAuthServerApi({
      baseUrl: auth.issuer,
      fetch: createAuthorizedFetch(
        new ClientCredentialsTokenProvider({
          issuer: auth.issuer,
          clientId: ADMIN_CLIENT_ID,
          clientSecret: ADMIN_CLIENT_SECRET,
          resource: auth.managementApi,
          scope: 'admin',
        }),
      ),
    });

  it('manages an API key end to end with typed calls, and the key works at the CRM through the CRM client', async () => {
    const api = adminApi();
    const consumer = await expectAnswer(
      api.POST('/api/consumers', { body: { name: 'Zapflow', contact: 'dev@zapflow.example' } }),
      201,
    );
    const issued = await expectAnswer(
      api.POST('/api/consumers/{id}/keys', {
        params: { path: { id: consumer.id } },
        body: { name: 'sync', environment: 'live', grants: [{ resource: CRM, scopes: ['contacts:read'] }] },
      }),
      201,
    );
    expect(issued.key).toMatch(/^tgk_live_/);
    const rolled = await expectAnswer(
      api.POST('/api/keys/{id}/roll', { params: { path: { id: issued.id } }, body: { expireCurrentInMinutes: 0 } }),
      201,
    );
    expect(rolled.rolledFromId).toBe(issued.id);

    const contacts = await expectAnswer(
      createCrmApi({ baseUrl: crm.url, credential: rolled.key }).GET('/contacts'),
      200,
    );
    expect(contacts.total).toBe(0);
    const refused = createCrmApi({ baseUrl: crm.url, credential: rolled.key }).POST('/contacts', {
      body: { name: 'Mallory', email: 'mallory@example.com' },
    });
    await expect(expectAnswer(refused, 201)).rejects.toMatchObject({
      name: 'TollgateApiError',
      method: 'POST',
      status: 403,
      code: 'insufficient_scope',
    });
  });

  it('an unexpected answer throws with the status, the problem code and a message that says what happened', async () => {
    const missing = adminApi().GET('/api/keys/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    const error = await expectAnswer(missing, 200).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TollgateApiError);
    expect(error).toMatchObject({ status: 404, method: 'GET' });
    expect((error as Error).message).toMatch(/^GET \/api\/keys\/0{8}-0{4}-4000-8000-0{12} answered 404 \(/);

    const anonymous = await createAuthServerApi({ baseUrl: auth.issuer }).GET('/api/clients');
    expect(anonymous.response.status).toBe(401);
    // No credential at all: a bare challenge, no error code (RFC 6750 §3.1).
    expect(anonymous.error).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('the OAuth endpoints take typed form bodies and answer RFC 6749 errors', async () => {
    const api = createAuthServerApi({ baseUrl: auth.issuer });
    const { error, response } = await api.POST(
      '/oauth/token',
      formRequest({
        grant_type: 'client_credentials',
        client_id: ADMIN_CLIENT_ID,
        client_secret: 'wrong-secret-0123456789',
      }),
    );
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ error: 'invalid_client' });
  });

  describe('a redirect', () => {
    let redirector: Server;
    let seen: string[];

    beforeAll(async () => {
      seen = [];
      redirector = createServer((request, response) => {
        seen.push(`${request.url} ${request.headers.authorization ?? 'no credential'}`);
        response.writeHead(request.url === '/contacts' ? 307 : 200, { location: '/elsewhere' }).end('{}');
      });
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => redirector.close(() => resolve())));

    it('is answered to the caller, never followed with the credential', async () => {
      const { port } = redirector.address() as AddressInfo;
      const { response } = await createCrmApi({
        baseUrl: `http://127.0.0.1:${port}`,
        credential: 'tgk_live_secret',
      }).GET('/contacts');
      expect(response.status).toBe(307);
      expect(seen).toEqual(['/contacts Bearer tgk_live_secret']);
    });
  });
});
