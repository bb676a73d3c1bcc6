import { contactsBenchmark, type ContactsBenchmarkSpec, paced } from '../support/contacts-benchmark.js';
import { CRM } from '../support/service-b.process.js';

/**
 * What a personal access token costs a resource server: the first request introspects it at the
 * auth-server (RFC 7662), later ones are served from service-b's introspection cache (30 s, evicted
 * by the revocation feed), with usage counted for the batched report.
 */
const spec: ContactsBenchmarkSpec = {
  name: 'serviceBPat',
  description:
    'GET /contacts?limit=20 on service-b with a PAT (Bearer tgp_…, introspected then cached) vs the same route without authentication',
  // Issue 15: at least 0.95× the same route without authentication.
  target: 0.95,
  verifiedBy: 'PAT (introspection cache)',
  async credential(auth) {
    const pat = await auth.createPat('ada@example.com', [{ resource: CRM, scopes: ['contacts:read'] }], {
      name: 'benchmark script',
      scopes: ['contacts:read'],
      resource: [CRM],
    });
    return { authorization: `Bearer ${pat}` };
  },
};

export const serviceBPat = contactsBenchmark(spec);

/** The same at a pace both sides keep up with: the CPU a request costs with the credential, at the same load shape. */
export const serviceBPatPaced = contactsBenchmark(paced(spec));
