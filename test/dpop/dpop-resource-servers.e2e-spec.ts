import { DpopKey } from '@tollgate/dpop';
import { ResourceServerVerification } from '@tollgate/verifier';
import { tollgateExpress } from '@tollgate/verifier/express';
import { tollgateFastify } from '@tollgate/verifier/fastify';
import express from 'express';
import Fastify from 'fastify';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageService } from '../../apps/auth-server/src/usage/usage.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { CRM, CRM_SCOPES, ServiceBHarness } from '../support/service-b.harness.js';

interface ProtectedApi {
  url: string;
  close(): Promise<void>;
}

async function adapterVerification(auth: AuthServerHarness): Promise<ResourceServerVerification> {
  const introspector = await auth.createClient({
    name: 'adapter',
    grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
  });
  return new ResourceServerVerification({
    issuer: auth.issuer,
    resource: CRM,
    client: { id: introspector.id, secret: introspector.secret },
  });
}

/** GET /contacts (contacts:read) behind each way Tollgate protects an API. */
const RESOURCE_SERVERS: { name: string; start(auth: AuthServerHarness): Promise<ProtectedApi> }[] = [
  {
    name: 'service-b (Nest guard)',
    async start(auth) {
      const crm = await ServiceBHarness.start(auth);
      return { url: crm.url, close: () => crm.stop() };
    },
  },
  {
    name: 'Express middleware',
    async start(auth) {
      const verification = await adapterVerification(auth);
      const app = express();
      const tollgate = tollgateExpress({ verification });
      app.get('/contacts', tollgate.requireCredential('contacts:read'), (req, res) => {
        res.json({ subject: req.principal!.subject });
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: async () => {
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await verification.close();
        },
      };
    },
  },
  {
    name: 'Fastify plugin',
    async start(auth) {
      const verification = await adapterVerification(auth);
      const app = Fastify();
      await app.register(tollgateFastify, { verification });
      app.get('/contacts', { preHandler: app.tollgate.requireCredential('contacts:read') }, async (request) => ({
        subject: request.principal!.subject,
      }));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return {
        url,
        close: async () => {
          await app.close();
          await verification.close();
        },
      };
    },
  },
];

/** A CRM reader's client-credentials token bound to `key` (RFC 9449 §5), and the reader. */
async function issueBoundToken(
  auth: AuthServerHarness,
  key: DpopKey,
): Promise<{ token: string; reader: { id: string; secret: string } }> {
  const reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
  const issued = await auth.tokenRequest({ grant_type: 'client_credentials', resource: CRM }, reader, {
    dpop: await key.proof({ method: 'POST', url: `${auth.issuer}/oauth/token` }),
  });
  expect(issued.body.token_type).toBe('DPoP');
  return { token: issued.body.access_token, reader };
}

/** The parameters of a challenge (quoted-string values). */
function challenge(response: Response, scheme: string): Record<string, string> {
  const header = response.headers.get('www-authenticate') ?? '';
  expect(header.startsWith(`${scheme} `), header).toBe(true);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
}

/**
 * RFC 9449 §7 at every resource server: a DPoP-bound token is worthless without its key (a stolen
 * token replayed as Bearer, with another key, or with a proof made for another request is refused),
 * and a bearer token is not accepted under the DPoP scheme.
 */
describe.each(RESOURCE_SERVERS)('DPoP-bound tokens at $name', (target) => {
  let auth: AuthServerHarness;
  let api: ProtectedApi;
  let key: DpopKey;
  let boundToken: string;
  let bearerToken: string;
  let contacts: string;

  const get = (headers: Record<string, string>, url = contacts) => fetch(url, { headers });
  const proofFor = (token: string, request: { method?: string; url?: string } = {}, signer = key) =>
    signer.proof({ method: request.method ?? 'GET', url: request.url ?? contacts, accessToken: token });

  async function expectRefused(response: Response, error: string, description: RegExp): Promise<void> {
    expect(response.status).toBe(401);
    const parameters = challenge(response, 'DPoP');
    expect(parameters).toMatchObject({ error, algs: 'ES256 EdDSA' });
    expect(parameters.error_description).toMatch(description);
    expect(await response.json()).toMatchObject({ status: 401, error });
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    await auth.createResource(CRM, CRM_SCOPES);
    api = await target.start(auth);
    contacts = `${api.url}/contacts`;
    key = await DpopKey.generate();
    const { token, reader } = await issueBoundToken(auth, key);
    boundToken = token;
    bearerToken = await auth.token(reader.id, reader.secret, { resource: CRM });
  });
  afterAll(async () => {
    await api?.close();
    await auth?.stop();
  });

  it('accepts the bound token with a fresh proof of its key, request after request', async () => {
    for (let request = 0; request < 3; request++) {
      const response = await get({ authorization: `DPoP ${boundToken}`, dpop: await proofFor(boundToken) });
      expect(response.status).toBe(200);
    }
  });

  it('refuses the bound token sent as a bearer token (no downgrade), before and after it was verified', async () => {
    await expectRefused(await get({ authorization: `Bearer ${boundToken}` }), 'invalid_token', /DPoP key/);
  });

  it('refuses it without a proof, with a proof for another request, or replayed', async () => {
    await expectRefused(await get({ authorization: `DPoP ${boundToken}` }), 'invalid_dpop_proof', /required/);
    await expectRefused(
      await get({ authorization: `DPoP ${boundToken}`, dpop: await proofFor(boundToken, { method: 'POST' }) }),
      'invalid_dpop_proof',
      /method/,
    );
    await expectRefused(
      await get({
        authorization: `DPoP ${boundToken}`,
        dpop: await proofFor(boundToken, { url: `${api.url}/other` }),
      }),
      'invalid_dpop_proof',
      /URL/,
    );
    const proof = await proofFor(boundToken);
    expect((await get({ authorization: `DPoP ${boundToken}`, dpop: proof })).status).toBe(200);
    await expectRefused(
      await get({ authorization: `DPoP ${boundToken}`, dpop: proof }),
      'invalid_dpop_proof',
      /used before/,
    );
  });

  it('refuses a stolen token with the thief’s own key, and a proof made for another token (ath)', async () => {
    const thief = await DpopKey.generate();
    await expectRefused(
      await get({ authorization: `DPoP ${boundToken}`, dpop: await proofFor(boundToken, {}, thief) }),
      'invalid_dpop_proof',
      /bound to/,
    );
    await expectRefused(
      await get({ authorization: `DPoP ${boundToken}`, dpop: await proofFor(bearerToken) }),
      'invalid_dpop_proof',
      /another access token/,
    );
  });

  it('refuses proofs signed with alg none or carrying a private key', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const claims = { jti: 'n1', htm: 'GET', htu: contacts, iat: Math.floor(Date.now() / 1000) };
    const none = `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${b64(claims)}.`;
    await expectRefused(await get({ authorization: `DPoP ${boundToken}`, dpop: none }), 'invalid_dpop_proof', /ES256/);
    const withPrivate = `${b64({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(privateKey) })}.${b64(claims)}.c2ln`;
    await expectRefused(
      await get({ authorization: `DPoP ${boundToken}`, dpop: withPrivate }),
      'invalid_dpop_proof',
      /public key/,
    );
  });

  it('refuses a bearer token presented under the DPoP scheme, and still takes it as Bearer', async () => {
    await expectRefused(
      await get({ authorization: `DPoP ${bearerToken}`, dpop: await proofFor(bearerToken) }),
      'invalid_token',
      /not DPoP-bound/,
    );
    expect((await get({ authorization: `Bearer ${bearerToken}` })).status).toBe(200);
  });
});

describe('a stolen DPoP-bound token refused at service-b is in the audit log', () => {
  it('records token.use.denied with the reason (sent as Bearer, or with another key)', async () => {
    const auth = await AuthServerHarness.start();
    try {
      await auth.createResource(CRM, CRM_SCOPES);
      const crm = await ServiceBHarness.start(auth);
      try {
        const { token } = await issueBoundToken(auth, await DpopKey.generate());
        const contacts = `${crm.url}/contacts`;
        expect((await fetch(contacts, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
        const thief = await DpopKey.generate();
        const withThiefKey = await fetch(contacts, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: await thief.proof({ method: 'GET', url: contacts, accessToken: token }),
          },
        });
        expect(withThiefKey.status).toBe(401);

        await crm.app.get(ResourceServerVerification).usage!.flush();
        await auth.app.get(UsageService).flush();
        const jti = decodeJwt(token).jti!;
        const events = (await auth.api('GET', `/api/audit?action=token.use.denied&credential=${jti}`)).body.items;
        expect(events.map((event: { reason: string }) => event.reason).sort()).toEqual([
          'dpop_bound_as_bearer',
          'jkt_mismatch',
        ]);
      } finally {
        await crm.stop();
      }
    } finally {
      await auth.stop();
    }
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('two service-b instances sharing Redis (the scaled shape)', () => {
  it('refuse at one a DPoP proof the other has accepted', async () => {
    const auth = await AuthServerHarness.start();
    const instances: ServiceBHarness[] = [];
    try {
      await auth.createResource(CRM, CRM_SCOPES);
      for (let i = 0; i < 2; i++)
        instances.push(await ServiceBHarness.start(auth, { env: { REDIS_URL: process.env.TEST_REDIS_URL! } }));
      const key = await DpopKey.generate();
      const { token } = await issueBoundToken(auth, key);
      // Both instances behind one public URL: the proof names it, each instance sees it as its Host.
      const publicUrl = 'http://crm.example.test/contacts';
      // fetch sets Host itself: node:http sends the one a proxy in front of both would.
      const send = (instance: ServiceBHarness, proof: string) =>
        new Promise<{ status: number; body: any }>((resolve, reject) => {
          const request = httpRequest(`${instance.url}/contacts`, {
            headers: { host: 'crm.example.test', authorization: `DPoP ${token}`, dpop: proof },
          });
          request.on('response', (response) => {
            let text = '';
            response.on('data', (chunk) => (text += chunk));
            response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
          });
          request.on('error', reject).end();
        });
      // Each instance connects to Redis in the background (it answers from memory meanwhile): once
      // both share it, a fresh proof accepted by one is refused by the other.
      await eventually(async () => {
        const proof = await key.proof({ method: 'GET', url: publicUrl, accessToken: token });
        const first = await send(instances[0], proof);
        expect(first.status, JSON.stringify(first.body)).toBe(200);
        const replayed = await send(instances[1], proof);
        expect(replayed.status).toBe(401);
        expect(replayed.body).toMatchObject({
          error: 'invalid_dpop_proof',
          error_description: expect.stringMatching(/used before/),
        });
      }, 10_000);
    } finally {
      for (const instance of instances) await instance.stop();
      await auth.stop();
    }
  });
});
