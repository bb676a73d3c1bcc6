import { contactsBenchmark, type ContactsBenchmarkSpec, paced } from '../support/contacts-benchmark.js';
import { CRM } from '../support/service-b.process.js';

/**
 * What an API key costs a resource server: introspected once at the auth-server, then served from
 * service-b's introspection cache, with usage counted for the batched report. The key has no rate
 * limit (a limited key would add a token-bucket check per request).
 */
const spec: ContactsBenchmarkSpec = {
  name: 'serviceBApiKey',
  description:
    'GET /contacts?limit=20 on service-b with an API key (X-API-Key, no rate limit, introspected then cached) vs the same route without authentication',
  // Issue 15: at least 0.95× the same route without authentication.
  target: 0.95,
  verifiedBy: 'API key (introspection cache)',
  async credential(auth) {
    const consumer = await auth.createConsumer('Zapier-like integration');
    const { key } = await auth.createApiKey(consumer, 'benchmark', [{ resource: CRM, scopes: ['contacts:read'] }]);
    return { 'x-api-key': key };
  },
};

export const serviceBApiKey = contactsBenchmark(spec);

/** The same at a pace both sides keep up with: the CPU a request costs with the credential, at the same load shape. */
export const serviceBApiKeyPaced = contactsBenchmark(paced(spec));
