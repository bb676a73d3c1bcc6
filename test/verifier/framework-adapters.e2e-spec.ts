import { ResourceServerVerification } from '@tollgate/verifier';
import { tollgateExpress } from '@tollgate/verifier/express';
import { tollgateFastify } from '@tollgate/verifier/fastify';
import express from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { CRM, CRM_SCOPES } from '../support/service-b.harness.js';

interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** The same small API in each framework: GET and POST /contacts protected, GET /open not. */
const FRAMEWORKS: { name: string; start(verification: ResourceServerVerification): Promise<RunningApp> }[] = [
  {
    name: 'Express middleware',
    async start(verification) {
      const app = express();
      const tollgate = tollgateExpress({ verification, protectedResource: { scopes: CRM_SCOPES } });
      app.use(tollgate.protectedResourceMetadata);
      app.get('/contacts', tollgate.requireCredential('contacts:read'), (req, res) => {
        res.json({ subject: req.principal!.subject, kind: req.principal!.credentialType });
      });
      app.post('/contacts', tollgate.requireCredential('contacts:write'), (_req, res) => {
        res.status(201).json({ created: true });
      });
      app.get('/open', (_req, res) => res.json({ open: true }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
  },
  {
    name: 'Fastify plugin',
    async start(verification) {
      const app = Fastify();
      await app.register(tollgateFastify, { verification, protectedResource: { scopes: CRM_SCOPES } });
      app.get('/contacts', { preHandler: app.tollgate.requireCredential('contacts:read') }, async (request) => ({
        subject: request.principal!.subject,
        kind: request.principal!.credentialType,
      }));
      app.post('/contacts', { preHandler: app.tollgate.requireCredential('contacts:write') }, async (_request, reply) =>
        reply.code(201).send({ created: true }),
      );
      app.get('/open', async () => ({ open: true }));
      return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
    },
  },
];

/** The parameters of a Bearer challenge (quoted-string values). */
function challenge(response: Response): Record<string, string> {
  const header = response.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
}

describe.each(FRAMEWORKS)('the verifier outside NestJS: $name', (framework) => {
  let auth: AuthServerHarness;
  let verification: ResourceServerVerification;
  let api: RunningApp;
  let reader: { id: string; secret: string };
  let readToken: string;

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    await auth.createResource(CRM, CRM_SCOPES);
    const introspector = await auth.createClient({
      name: 'framework adapter',
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
    verification = new ResourceServerVerification({
      issuer: auth.issuer,
      resource: CRM,
      client: { id: introspector.id, secret: introspector.secret },
    });
    api = await framework.start(verification);
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    readToken = await auth.token(reader.id, reader.secret, { resource: CRM, scope: 'contacts:read' });
  });

  afterAll(async () => {
    await api?.close();
    await verification?.close();
    await auth?.stop();
  });

  it('asks for a credential with a bare challenge naming the RFC 9728 metadata, which it serves', async () => {
    const refused = await get('/contacts');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer realm="tollgate", resource_metadata="${api.url}/.well-known/oauth-protected-resource"`,
    );
    expect(await refused.json()).toMatchObject({ status: 401, type: 'urn:tollgate:problem:unauthenticated' });

    const metadata = await get('/.well-known/oauth-protected-resource');
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toEqual({
      resource: CRM,
      authorization_servers: [auth.issuer],
      scopes_supported: CRM_SCOPES,
      bearer_methods_supported: ['header'],
    });
    expect((await get('/open')).status).toBe(200);
  });

  it('lets an M2M JWT with the scope through, and names the scope a route needs when it lacks it', async () => {
    const allowed = await get('/contacts', { authorization: `Bearer ${readToken}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ subject: reader.id, kind: 'access_token' });

    const write = await fetch(`${api.url}/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readToken}` },
    });
    expect(write.status).toBe(403);
    expect(challenge(write)).toMatchObject({ error: 'insufficient_scope', scope: 'contacts:write' });
    expect(await write.json()).toMatchObject({ error: 'insufficient_scope', scope: 'contacts:write' });
  });

  it('refuses a garbage token and a token for another API as invalid_token', async () => {
    await auth.createResource('https://other.tollgate.local', ['other:read']);
    const other = await auth.createClient({
      name: 'other',
      grants: [{ resource: 'https://other.tollgate.local', scopes: ['other:read'] }],
    });
    const foreign = await auth.token(other.id, other.secret, { resource: 'https://other.tollgate.local' });
    for (const token of ['not-a-token', foreign]) {
      const refused = await get('/contacts', { authorization: `Bearer ${token}` });
      expect(refused.status).toBe(401);
      expect(challenge(refused)).toMatchObject({ realm: 'tollgate', error: 'invalid_token' });
      expect(await refused.json()).toMatchObject({ status: 401, error: 'invalid_token' });
    }
  });

  it('refuses a credential in the URL, and two credentials at once, as invalid_request', async () => {
    const inQuery = await get(`/contacts?access_token=${readToken}`);
    expect(inQuery.status).toBe(400);
    expect(challenge(inQuery)).toMatchObject({ error: 'invalid_request' });
    const both = await get('/contacts', { authorization: `Bearer ${readToken}`, 'x-api-key': 'tgk_live_x' });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('accepts a PAT and an API key, and refuses the key once it is revoked', async () => {
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    await auth.createUser({ email: 'ada@example.com', roles: ['crm-reader'] });
    const pat = await (await auth.login('ada@example.com')).createToken({ name: 'script', scopes: ['contacts:read'] });
    const withPat = await get('/contacts', { authorization: `Bearer ${pat.token}` });
    expect(withPat.status).toBe(200);
    expect(await withPat.json()).toMatchObject({ kind: 'pat' });

    const consumer = await auth.api('POST', '/api/consumers', { name: 'zapflow', contact: 'dev@zapflow.example' });
    const key = await auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
      name: 'adapter key',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    const withKey = await get('/contacts', { 'x-api-key': key.body.key });
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toMatchObject({ kind: 'api_key', subject: consumer.body.id });

    expect((await auth.api('DELETE', `/api/keys/${key.body.id}`)).status).toBe(204);
    await eventually(async () => {
      const refused = await get('/contacts', { 'x-api-key': key.body.key });
      expect(refused.status).toBe(401);
      expect(challenge(refused)).toMatchObject({ error: 'invalid_token' });
    });
  });
});
