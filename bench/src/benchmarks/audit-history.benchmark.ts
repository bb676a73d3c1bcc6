import { type Benchmark, type BenchmarkContext, BenchmarkSkipped } from '../benchmark.js';
import { assertAccessTokenResponse } from '../support/access-token.check.js';
import { type AuditHistory, fillAuditHistoryPostgres, fillAuditHistorySqlite } from '../support/audit-rows.js';
import { AuthServerProcess, basicAuthorization } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { sendOnce } from '../support/http-client.js';
import { httpContender } from '../support/http-load.js';
import { createPostgresDatabase } from '../../../test/support/test-databases.js';

const RESOURCE = 'https://crm.tollgate.local';
const SCOPE = 'contacts:read';
const HISTORY: AuditHistory = { events: 10_000_000, days: 300 };
const CONNECTIONS = 48;

type Store = 'sqlite' | 'postgres';

/**
 * Does the token endpoint slow down as the audit log grows (issue 16 item 4)? The same
 * client_credentials grant against an auth-server whose log already holds 10,000,000 events
 * (300 days of issuances by 5,000 clients, each with its own token id: every index holds real
 * keys) and against one whose log is empty; each issuance audits one more event before it
 * answers. On PostgreSQL the log is partitioned by month, so an insert only meets the current
 * month's indexes; on SQLite it is one table. Ratio = ours ÷ baseline: 1 means no drop.
 */
function auditHistoryBenchmark(store: Store): Benchmark {
  const where = store === 'postgres' ? 'PostgreSQL, partitioned by month' : 'SQLite';
  return {
    name: store === 'postgres' ? 'tokenEndpointAuditHistoryPostgres' : 'tokenEndpointAuditHistory',
    description: `client_credentials grants/s with ${HISTORY.events.toLocaleString('en-US')} audit events stored vs none (${where})`,
    kind: 'throughput',
    target: 0.95,

    async setup(context) {
      const { quick, log, scaled, connections = CONNECTIONS } = context;
      if (quick) throw new BenchmarkSkipped('--quick leaves out the 10,000,000-event log (minutes to fill)');
      if (store === 'postgres' && !scaled)
        throw new BenchmarkSkipped('set BENCH_DATABASE_URL and BENCH_REDIS_URL (or the TEST_ ones)');
      const cleanup = new CleanupStack();
      try {
        const empty = await startSide(context, store, 'auth-server-empty-log', cleanup);
        const full = await startSide(context, store, 'auth-server-10m-events', cleanup);
        const started = performance.now();
        if (store === 'postgres') await fillAuditHistoryPostgres(full.databaseUrl!, HISTORY);
        else {
          await full.auth.stop();
          fillAuditHistorySqlite(full.auth.sqliteFile!, HISTORY);
          await full.auth.restart();
        }
        log(
          `${HISTORY.events.toLocaleString('en-US')} events stored in ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
        return {
          ours: await tokenContender(
            `auth-server, ${HISTORY.events.toLocaleString('en-US')} audit events (${where})`,
            full.auth,
            connections,
          ),
          baseline: await tokenContender(`auth-server, empty audit log (${where})`, empty.auth, connections),
          conditions: { connections, auditEvents: `${HISTORY.events} vs 0`, spreadOverDays: HISTORY.days },
          teardown: () => cleanup.run(),
        };
      } catch (error) {
        await cleanup.run().catch(() => undefined);
        throw error;
      }
    },
  };
}

async function startSide(
  { tempDir, scaled, log }: BenchmarkContext,
  store: Store,
  name: string,
  cleanup: CleanupStack,
): Promise<{ auth: AuthServerProcess; databaseUrl?: string }> {
  let databaseUrl: string | undefined;
  if (store === 'postgres') {
    const database = await createPostgresDatabase(scaled!.databaseUrl);
    cleanup.add(() => database.drop());
    databaseUrl = database.url;
  }
  log(`starting ${name}`);
  const auth = await AuthServerProcess.start(tempDir, { name, env: databaseUrl ? { DATABASE_URL: databaseUrl } : {} });
  cleanup.add(() => auth.stop());
  return { auth, databaseUrl };
}

/** Its own client and resource, and a check that the request the load sends gets a valid token. */
async function tokenContender(label: string, auth: AuthServerProcess, connections: number) {
  await auth.createResource(RESOURCE, [SCOPE], 900);
  const client = await auth.createClient('audit history benchmark', [{ resource: RESOURCE, scopes: [SCOPE] }]);
  const request = {
    method: 'POST' as const,
    url: `${auth.issuer}/oauth/token`,
    headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }).toString(),
  };
  await assertAccessTokenResponse(label, await sendOnce(request), {
    audience: RESOURCE,
    scope: SCOPE,
    clientId: client.id,
    metadataUrl: `${auth.issuer}/.well-known/oauth-authorization-server`,
  });
  return httpContender(label, request, connections, [auth.server]);
}

export const tokenEndpointAuditHistory = auditHistoryBenchmark('sqlite');
export const tokenEndpointAuditHistoryPostgres = auditHistoryBenchmark('postgres');
