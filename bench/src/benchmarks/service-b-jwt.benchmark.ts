import type { Benchmark } from '../benchmark.js';
import { AuthServerProcess } from '../support/auth-server.process.js';
import { type JsonResponse, sendOnce } from '../support/http-client.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { httpContender } from '../support/http-load.js';
import { CRM, CRM_SCOPES, ServiceBProcess } from '../support/service-b.process.js';

const CONTACTS = 40;
const PATH = '/contacts?limit=20';
const CONNECTIONS = 32;
// Longer than any run, so the measured token never expires mid-benchmark.
const TOKEN_TTL_SECONDS = 86_400;

/**
 * What JWT verification costs a resource server: `GET /contacts?limit=20` on service-b with a
 * valid M2M access token, against the same build serving the same route with authentication
 * switched off. Both get byte-identical requests (the baseline ignores the Authorization header).
 */
export const serviceBJwt: Benchmark = {
  name: 'serviceBJwt',
  description: 'GET /contacts?limit=20 on service-b with a JWT access token vs the same route without authentication',
  kind: 'throughput',
  target: 0.9,

  async setup({ tempDir, connections = CONNECTIONS, log }) {
    const cleanup = new CleanupStack();
    try {
      log('starting the auth-server');
      const auth = await AuthServerProcess.start(tempDir);
      cleanup.add(() => auth.stop());
      await auth.createResource(CRM, CRM_SCOPES, TOKEN_TTL_SECONDS);
      const client = await auth.createClient('CRM benchmark', [{ resource: CRM, scopes: CRM_SCOPES }]);
      const readToken = await auth.token(client, { resource: CRM, scope: 'contacts:read' });
      const writeToken = await auth.token(client, { resource: CRM, scope: 'contacts:write' });

      log('starting service-b with and without authentication');
      const ours = await ServiceBProcess.start(auth, tempDir, { name: 'service-b', authentication: true });
      cleanup.add(() => ours.stop());
      const baseline = await ServiceBProcess.start(auth, tempDir, { name: 'service-b-noauth', authentication: false });
      cleanup.add(() => baseline.stop());
      await ours.seedContacts(CONTACTS, { authorization: `Bearer ${writeToken}` });
      await baseline.seedContacts(CONTACTS);

      const headers = { authorization: `Bearer ${readToken}` };
      const oursRequest = { url: `${ours.url}${PATH}`, headers };
      const baselineRequest = { url: `${baseline.url}${PATH}`, headers };
      const refused = await sendOnce({ url: oursRequest.url });
      if (refused.status !== 401) throw new Error(`service-b answered ${refused.status} without a token: authentication is not on`);
      assertPage('service-b', await sendOnce(oursRequest));
      assertPage('service-b without authentication', await sendOnce(baselineRequest));

      return {
        ours: httpContender('service-b, JWT verified', oursRequest, connections, [ours.server]),
        baseline: httpContender('service-b, authentication off', baselineRequest, connections, [baseline.server]),
        conditions: { connections, contacts: CONTACTS },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

function assertPage(who: string, response: JsonResponse): void {
  const names = Array.isArray(response.body?.items) ? response.body.items.map((contact: { name: string }) => contact.name) : [];
  const expected = Array.from({ length: 20 }, (_, i) => `Contact ${i + 1}`);
  if (response.status !== 200 || response.body.total !== CONTACTS || JSON.stringify(names) !== JSON.stringify(expected)) {
    throw new Error(`${who}: GET ${PATH} did not answer the first 20 of ${CONTACTS} contacts: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  }
}
