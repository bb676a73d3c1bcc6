import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPostgresDatabase } from '../../../test/support/test-databases.js';
import {
  type Benchmark,
  BenchmarkSkipped,
  type BenchmarkContext,
  type Contender,
  type Latency,
  type Measurement,
} from '../benchmark.js';
import { AuthServerProcess } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { IOT, startIotBroker } from '../support/mqtt-brokers.js';
import { openDeviceSession } from '../support/mqtt-load.js';
import { waitForRevocationFeed } from '../support/revocation-feed.js';
import { CRM, CRM_SCOPES, ServiceBProcess } from '../support/service-b.process.js';
import { percentile } from '../support/statistics.js';

/** The access-token TTL of both resources (the auth-server's default): what a JWT-only design waits. */
const TOKEN_TTL_SECONDS = 900;
const TARGET_P99_MS = 100;
const GIVE_UP_MS = 5_000;

type Mode = 'embedded' | 'scaled';

/** One revocation, in ms: each refusal after the revoke call returned, the call, and both refusals after it started. */
interface Sample {
  serviceB: number;
  mqtt: number;
  call: number;
  fromCall: number;
}

/**
 * How long a revoked credential keeps working: a device holding a JWT for the CRM (in use at
 * service-b) and one for the broker (a live MQTT session) has all its tokens revoked
 * (POST /api/clients/{id}/revoke-tokens); from the moment that call returns, we time the first
 * refusal at service-b (polling with the token) and the broker closing the session. Ours is the
 * later of the two per revocation ("refused everywhere"), both shown as parts. The baseline is a
 * JWT-only design, where a revoked token works until it expires: its remaining lifetime, uniform over
 * the TTL for a revocation at a random moment (p50 = TTL/2, p99 = 0.99 × TTL; computed, not run).
 */
function revocationLatencyBenchmark(mode: Mode): Benchmark {
  const scaled = mode === 'scaled';
  return {
    name: scaled ? 'revocationLatencyRedis' : 'revocationLatency',
    description: scaled
      ? 'revoke → refused at service-b and MQTT session closed, scaled shape (2 auth-servers on PostgreSQL + Redis; revoked at one, feeds from the other) vs a JWT-only design (token lives on); target p99 < 100 ms'
      : 'revoke → refused at service-b and MQTT session closed, embedded (SQLite, no Redis) vs a JWT-only design (token lives on); target p99 < 100 ms',
    kind: 'latency',
    target: Math.round((0.99 * TOKEN_TTL_SECONDS * 1000) / TARGET_P99_MS),

    async setup(context) {
      if (scaled && !context.scaled)
        throw new BenchmarkSkipped('set BENCH_DATABASE_URL and BENCH_REDIS_URL (or the TEST_ ones)');
      const cleanup = new CleanupStack();
      try {
        const { issuing, revoking, env } = await startAuthServers(context, mode, cleanup);
        await issuing.createResource(CRM, CRM_SCOPES, TOKEN_TTL_SECONDS);
        await issuing.createResource(IOT, ['device'], TOKEN_TTL_SECONDS);
        context.log('starting service-b and the broker');
        const crm = await ServiceBProcess.start(issuing, context.tempDir, {
          name: 'service-b',
          authentication: true,
          env,
        });
        cleanup.add(() => crm.stop());
        const broker = await startIotBroker(issuing, { env });
        cleanup.add(() => broker.stop());
        await waitForRevocationFeed(
          'service-b',
          `${crm.url}/health`,
          (health) => health.authentication?.revocationFeed,
        );
        await waitForRevocationFeed('the broker', broker.healthUrl, (health) => health.revocationFeed);

        const run = randomBytes(3).toString('hex');
        let revocations = 0;
        /** One device: tokens issued and in use at both edges, then revoked; ms from the call's return to each refusal. */
        const revokeOnce = async (): Promise<Sample> => {
          const id = `revoked-${run}-${++revocations}`;
          const client = await issuing.createClient(
            id,
            [
              { resource: CRM, scopes: ['contacts:read'] },
              { resource: IOT, scopes: ['device'] },
            ],
            { id, kind: 'device' },
          );
          const crmToken = await issuing.token(client, { resource: CRM, scope: 'contacts:read' });
          const session = await openDeviceSession(broker.endpoint, {
            clientId: id,
            token: await issuing.token(client, { resource: IOT, scope: 'device' }),
          });
          try {
            const contacts = () =>
              fetch(`${crm.url}/contacts?limit=1`, { headers: { authorization: `Bearer ${crmToken}` } }).then(
                async (response) => (await response.arrayBuffer(), response.status),
              );
            const before = await contacts();
            if (before !== 200) throw new Error(`service-b answered ${before} to ${id}'s token before the revocation`);

            const called = performance.now();
            await revoking.api('POST', `/api/clients/${id}/revoke-tokens`, undefined, 200);
            const returned = performance.now();
            let refusedAt: number | undefined;
            while (refusedAt === undefined) {
              const status = await contacts();
              if (status === 401) refusedAt = performance.now();
              else if (status !== 200)
                throw new Error(`service-b answered ${status} to ${id}'s revoked token (expected 200, then 401)`);
              else if (performance.now() - returned > GIVE_UP_MS)
                throw new Error(`service-b still accepted ${id}'s token ${GIVE_UP_MS} ms after its revocation`);
            }
            const closedAt = await Promise.race([session.closedAt, sleep(GIVE_UP_MS, undefined, { ref: false })]);
            if (closedAt === undefined)
              throw new Error(`the broker kept ${id}'s session open ${GIVE_UP_MS} ms after its revocation`);
            // A refusal can land before the call returns (the feed is woken before the audit write): 0 ms then.
            return {
              serviceB: Math.max(0, refusedAt - returned),
              mqtt: Math.max(0, closedAt - returned),
              call: returned - called,
              fromCall: Math.max(refusedAt, closedAt) - called,
            };
          } finally {
            await session.close();
          }
        };

        const ours: Contender = {
          label: scaled
            ? 'Tollgate, revocation feed via Redis (revoked at auth-b, feeds from auth-a)'
            : 'Tollgate, revocation feed (embedded)',
          run: async (seconds) => {
            const samples: Sample[] = [];
            const deadline = performance.now() + seconds * 1000;
            while (performance.now() < deadline) samples.push(await revokeOnce());
            context.log(`${samples.length} revocations measured`);
            const everywhere = latency(samples.map((s) => Math.max(s.serviceB, s.mqtt)));
            const parts = {
              'service-b refusal': latency(samples.map((s) => s.serviceB)),
              'MQTT session closed': latency(samples.map((s) => s.mqtt)),
              'revoke call itself': latency(samples.map((s) => s.call)),
              'both, from the call starting': latency(samples.map((s) => s.fromCall)),
            };
            return { ...everywhere, parts };
          },
        };
        const jwtOnly: Measurement = { p50Ms: 0.5 * TOKEN_TTL_SECONDS * 1000, p99Ms: 0.99 * TOKEN_TTL_SECONDS * 1000 };
        return {
          ours,
          baseline: {
            label: `JWT only: a ${TOKEN_TTL_SECONDS} s token revoked at a random moment lives on (computed)`,
            run: async () => jwtOnly,
          },
          conditions: { mode, accessTokenTtlSeconds: TOKEN_TTL_SECONDS, measuredFrom: 'the revoke call returning' },
          teardown: () => cleanup.run(),
        };
      } catch (error) {
        await cleanup.run().catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * Embedded: one auth-server on its SQLite file. Scaled: two auth-servers on a fresh PostgreSQL
 * database and Redis, as behind a load balancer; tokens come from (and feeds follow) auth-a, while
 * revocations go to auth-b, so they must cross Redis to reach the feeds.
 */
async function startAuthServers(
  context: BenchmarkContext,
  mode: Mode,
  cleanup: CleanupStack,
): Promise<{ issuing: AuthServerProcess; revoking: AuthServerProcess; env: Record<string, string> }> {
  if (mode === 'embedded') {
    context.log('starting the auth-server (SQLite)');
    const auth = await AuthServerProcess.start(context.tempDir);
    cleanup.add(() => auth.stop());
    return { issuing: auth, revoking: auth, env: {} };
  }
  const { databaseUrl, redisUrl } = context.scaled!;
  const database = await createPostgresDatabase(databaseUrl);
  cleanup.add(() => database.drop());
  const env = { DATABASE_URL: database.url, REDIS_URL: redisUrl };
  context.log('starting auth-a and auth-b (PostgreSQL + Redis)');
  const authA = await AuthServerProcess.start(context.tempDir, { name: 'auth-a', env });
  cleanup.add(() => authA.stop());
  const authB = await AuthServerProcess.start(context.tempDir, { name: 'auth-b', env, sibling: authA });
  cleanup.add(() => authB.stop());
  return { issuing: authA, revoking: authB, env: { REDIS_URL: redisUrl } };
}

function latency(values: number[]): Latency {
  const sorted = Float64Array.from(values).sort();
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

export const revocationLatency = revocationLatencyBenchmark('embedded');
export const revocationLatencyRedis = revocationLatencyBenchmark('scaled');
