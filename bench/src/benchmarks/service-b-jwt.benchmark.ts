import { contactsBenchmark, type ContactsBenchmarkSpec, paced } from '../support/contacts-benchmark.js';
import { CRM } from '../support/service-b.process.js';

/**
 * What JWT verification costs a resource server: `GET /contacts?limit=20` on service-b with a
 * valid M2M access token, against the same build serving the same route with authentication off.
 */
const spec: ContactsBenchmarkSpec = {
  name: 'serviceBJwt',
  description: 'GET /contacts?limit=20 on service-b with a JWT access token vs the same route without authentication',
  // Issue 15: at least 0.95× the same route without authentication.
  target: 0.95,
  verifiedBy: 'JWT verified',
  async credential(auth) {
    const client = await auth.createClient('CRM benchmark', [{ resource: CRM, scopes: ['contacts:read'] }]);
    return { authorization: `Bearer ${await auth.token(client, { resource: CRM, scope: 'contacts:read' })}` };
  },
};

export const serviceBJwt = contactsBenchmark(spec);

/** The same at a pace both sides keep up with: the CPU a request costs with the credential, at the same load shape. */
export const serviceBJwtPaced = contactsBenchmark(paced(spec));
