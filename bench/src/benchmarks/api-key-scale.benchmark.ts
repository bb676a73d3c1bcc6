import { generateCredential } from '@tollgate/credentials';
import { type Benchmark, BenchmarkSkipped } from '../benchmark.js';
import { insertApiKeys } from '../support/api-key-rows.js';
import { AuthServerProcess, basicAuthorization, type ClientCredentials } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { type HttpRequestSpec, httpContender } from '../support/http-load.js';
import { sendOnce } from '../support/http-client.js';
import { CRM, CRM_SCOPES } from '../support/service-b.process.js';

const SMALL = 1_000;
const LARGE = 1_000_000;
const KEYS_PER_CONSUMER = 10;
/** Stored keys the large side asks about, spread over the whole table. */
const LARGE_SAMPLE = 20_000;
const CONNECTIONS = 8;

/**
 * Does verifying an API key slow down as keys accumulate? RFC 7662 introspection at the auth-server
 * (what a resource server does on a cache miss), each request for a random stored key, against an
 * auth-server holding 1,000,000 keys (ours) and one holding 1,000 (baseline). The lookup is by the
 * key's SHA-256 on a unique index, so p99 should not move. The keys are inserted straight into the
 * SQLite file (the management API would take hours for a million), as the auth-server stores them.
 */
export const apiKeyScale: Benchmark = {
  name: 'apiKeyScale',
  description: `API-key introspection (POST /oauth/introspect, a different stored key each request): ${LARGE.toLocaleString('en-US')} keys stored vs ${SMALL.toLocaleString('en-US')} (latency)`,
  kind: 'latency',
  target: 0.9,

  async setup({ tempDir, connections = CONNECTIONS, quick, log }) {
    if (quick)
      throw new BenchmarkSkipped(`--quick leaves out the ${LARGE.toLocaleString('en-US')}-key side (a 15–30 s insert)`);
    const cleanup = new CleanupStack();
    try {
      const sides = [];
      for (const [name, total, sampleSize] of [
        ['auth-server-1k', SMALL, SMALL - 1],
        ['auth-server-1m', LARGE, LARGE_SAMPLE],
      ] as const) {
        log(`starting ${name}`);
        const auth = await AuthServerProcess.start(tempDir, { name });
        cleanup.add(() => auth.stop());
        await auth.createResource(CRM, CRM_SCOPES, 900);
        const introspector = await auth.createClient('resource server', [
          { resource: auth.managementApi, scopes: ['tokens:introspect'] },
        ]);
        const consumer = await auth.createConsumer('Integration 0');
        const issued = await auth.createApiKey(consumer, 'key 0', [{ resource: CRM, scopes: ['contacts:read'] }]);

        await auth.stop();
        const started = performance.now();
        const sample = insertApiKeys(auth.sqliteFile!, { total, keysPerConsumer: KEYS_PER_CONSUMER, sampleSize });
        log(
          `${name}: ${total.toLocaleString('en-US')} keys stored (inserted in ${((performance.now() - started) / 1000).toFixed(1)} s); restarting it`,
        );
        await auth.restart();
        const keys = [issued.key, ...sample];
        const request = introspection(auth, introspector, keys);
        await assertIntrospects(name, request, keys);
        sides.push({ auth, keys, total, request });
      }
      const [small, large] = sides;

      return {
        ours: httpContender(
          `auth-server, ${large.total.toLocaleString('en-US')} API keys stored (SQLite)`,
          large.request,
          connections,
          [large.auth.server],
        ),
        baseline: httpContender(
          `auth-server, ${small.total.toLocaleString('en-US')} API keys stored (SQLite)`,
          small.request,
          connections,
          [small.auth.server],
        ),
        conditions: {
          connections,
          keysAskedAbout: `${small.keys.length} of ${SMALL} / ${large.keys.length} of ${LARGE}`,
          keysPerConsumer: KEYS_PER_CONSUMER,
        },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

/** Introspection by a resource server of a random one of `keys` at each request; every answer must be active. */
function introspection(auth: AuthServerProcess, introspector: ClientCredentials, keys: string[]): HttpRequestSpec {
  const body = (key: string) => new URLSearchParams({ token: key, resource: CRM }).toString();
  return {
    url: `${auth.url}/oauth/introspect`,
    method: 'POST',
    headers: { authorization: basicAuthorization(introspector), 'content-type': 'application/x-www-form-urlencoded' },
    body: body(keys[0]),
    nextBody: () => body(keys[Math.floor(Math.random() * keys.length)]),
    acceptBody: (answer) => answer.includes('"active":true'),
  };
}

/** Some stored keys are active with the granted scope; a well-formed key that is not stored is not. */
async function assertIntrospects(who: string, request: HttpRequestSpec, keys: string[]): Promise<void> {
  const ask = (token: string) =>
    sendOnce({ ...request, body: new URLSearchParams({ token, resource: CRM }).toString() });
  for (const key of [keys[0], keys[1], keys[Math.floor(keys.length / 2)], keys.at(-1)!]) {
    const answer = await ask(key);
    if (
      answer.status !== 200 ||
      answer.body.active !== true ||
      answer.body.credential_type !== 'api_key' ||
      answer.body.scope !== 'contacts:read'
    ) {
      throw new Error(
        `${who}: a stored key was not introspected as an active API key with contacts:read: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
  }
  const unknown = await ask(generateCredential('api_key', { environment: 'live' }));
  if (unknown.status !== 200 || unknown.body.active !== false)
    throw new Error(`${who}: an unknown key was not inactive: ${unknown.status} ${JSON.stringify(unknown.body)}`);
}
