import type { Benchmark } from '../benchmark.js';
import { assertAccessTokenResponse } from '../support/access-token.check.js';
import { AuthServerProcess, basicAuthorization } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { BenchDpopKey } from '../support/dpop-proofs.js';
import { sendOnce } from '../support/http-client.js';
import { httpContender } from '../support/http-load.js';
import { CRM, CRM_SCOPES, ServiceBProcess } from '../support/service-b.process.js';

const CONTACTS = 40;
const PATH = '/contacts?limit=20';
const CONNECTIONS = 32;
const TOKEN_CONNECTIONS = 48;
const TOKEN_TTL_SECONDS = 86_400;

/**
 * What DPoP costs a resource server (issue 13): `GET /contacts?limit=20` on service-b with a
 * DPoP-bound token and a fresh proof per request (one more ES256 verification, a replay-cache
 * entry) against the same server and route with a bearer JWT. Both tokens are remembered after
 * their first use; the proof cannot be (it is new every time).
 */
export const serviceBDpop: Benchmark = {
  name: 'serviceBDpop',
  description: 'GET /contacts?limit=20 on service-b: DPoP-bound JWT + a new proof per request vs a bearer JWT',
  kind: 'throughput',
  target: 0.8,

  async setup({ tempDir, connections = CONNECTIONS, log }) {
    const cleanup = new CleanupStack();
    try {
      log('starting the auth-server and service-b');
      const auth = await AuthServerProcess.start(tempDir);
      cleanup.add(() => auth.stop());
      await auth.createResource(CRM, CRM_SCOPES, TOKEN_TTL_SECONDS);
      const writer = await auth.createClient('CRM seeding', [{ resource: CRM, scopes: ['contacts:write'] }]);
      const reader = await auth.createClient('CRM benchmark', [{ resource: CRM, scopes: ['contacts:read'] }]);
      const crm = await ServiceBProcess.start(auth, tempDir, { name: 'service-b', authentication: true });
      cleanup.add(() => crm.stop());
      await crm.seedContacts(CONTACTS, {
        authorization: `Bearer ${await auth.token(writer, { resource: CRM, scope: 'contacts:write' })}`,
      });

      const key = await BenchDpopKey.generate();
      const tokenUrl = `${auth.issuer}/oauth/token`;
      const bound = await sendOnce({
        url: tokenUrl,
        method: 'POST',
        headers: {
          authorization: basicAuthorization(reader),
          'content-type': 'application/x-www-form-urlencoded',
          dpop: key.proof('POST', tokenUrl),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: CRM }).toString(),
      });
      if (bound.status !== 200 || bound.body.token_type !== 'DPoP')
        throw new Error(`no DPoP-bound token: ${bound.status} ${JSON.stringify(bound.body)}`);
      const boundToken: string = bound.body.access_token;
      const bearerToken = await auth.token(reader, { resource: CRM, scope: 'contacts:read' });

      const url = `${crm.url}${PATH}`;
      const ours = {
        url,
        headers: { authorization: `DPoP ${boundToken}` },
        nextHeaders: () => ({ dpop: key.proof('GET', url, boundToken) }),
      };
      const baseline = { url, headers: { authorization: `Bearer ${bearerToken}` } };
      const refused = await sendOnce({ url, headers: { authorization: `Bearer ${boundToken}` } });
      if (refused.status !== 401) throw new Error(`service-b took the DPoP-bound token as Bearer: ${refused.status}`);
      for (const [who, request] of [
        ['DPoP', { ...ours.headers, ...ours.nextHeaders() }],
        ['bearer', baseline.headers],
      ] as const) {
        const answer = await sendOnce({ url, headers: request });
        if (answer.status !== 200 || answer.body.total !== CONTACTS)
          throw new Error(`service-b with the ${who} token answered ${answer.status}`);
      }
      return {
        ours: httpContender('service-b, DPoP-bound JWT + proof', ours, connections, [crm.server, auth.server]),
        baseline: httpContender('service-b, bearer JWT', baseline, connections, [crm.server, auth.server]),
        conditions: { connections, contacts: CONTACTS },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

/**
 * What DPoP costs the token endpoint: client-credentials grants with a new proof each (verified,
 * its jti remembered, the token bound with `cnf.jkt`) against the same grants without one.
 */
export const tokenEndpointDpop: Benchmark = {
  name: 'tokenEndpointDpop',
  description: 'client_credentials grants/s at the auth-server: with a DPoP proof (token bound to it) vs bearer',
  kind: 'throughput',
  target: 0.8,

  async setup({ tempDir, connections = TOKEN_CONNECTIONS, log }) {
    const cleanup = new CleanupStack();
    try {
      log('starting the auth-server');
      const auth = await AuthServerProcess.start(tempDir);
      cleanup.add(() => auth.stop());
      await auth.createResource(CRM, ['contacts:read'], 900);
      const client = await auth.createClient('token endpoint benchmark', [
        { resource: CRM, scopes: ['contacts:read'] },
      ]);
      const url = `${auth.issuer}/oauth/token`;
      const key = await BenchDpopKey.generate();
      const baseline = {
        url,
        method: 'POST' as const,
        headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: CRM,
          scope: 'contacts:read',
        }).toString(),
      };
      const ours = { ...baseline, nextHeaders: () => ({ dpop: key.proof('POST', url) }) };
      const expected = {
        audience: CRM,
        scope: 'contacts:read',
        clientId: client.id,
        metadataUrl: `${auth.url}/.well-known/oauth-authorization-server`,
      };
      await assertAccessTokenResponse('bearer', await sendOnce(baseline), expected);
      const bound = await sendOnce({ ...baseline, headers: { ...baseline.headers, ...ours.nextHeaders() } });
      if (bound.status !== 200 || bound.body.token_type !== 'DPoP')
        throw new Error(`no DPoP-bound token: ${bound.status} ${JSON.stringify(bound.body)}`);
      return {
        ours: httpContender('auth-server, DPoP proof → bound token', ours, connections, [auth.server]),
        baseline: httpContender('auth-server, bearer token', baseline, connections, [auth.server]),
        conditions: { connections },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};
