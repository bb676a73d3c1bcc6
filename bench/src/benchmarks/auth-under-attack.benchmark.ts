import { generateCredential } from '@tollgate/credentials';
import type { Benchmark, BenchmarkContext, BenchmarkSession } from '../benchmark.js';
import { assertAccessTokenResponse } from '../support/access-token.check.js';
import { AuthServerProcess, type ClientCredentials } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { sendOnce } from '../support/http-client.js';
import { type HttpRequestSpec, httpLoad } from '../support/http-load.js';
import { withServerCpu } from '../support/server-cpu.js';
import { WrongSecretAttack } from '../support/wrong-secret-attack.js';

const RESOURCE = 'https://crm.tollgate.local';
const SCOPE = 'contacts:read';
const TOKEN_TTL_SECONDS = 900;
const GOOD_CLIENTS = 8;
const CONNECTIONS = 32;
/** The guessers' source addresses: 127.0.0.2 … 127.0.0.9 (the good clients come from 127.0.0.1). */
const ATTACKER_ADDRESSES = Array.from({ length: 8 }, (_, index) => `127.0.0.${index + 2}`);
const SOCKETS_PER_ATTACKER = 4;
/** The good clients' offered load in authUnderAttack, as a share of what the server answers them alone at full load. */
const GOOD_LOAD_SHARE = 0.35;
const CALIBRATION_SECONDS = 3;

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/**
 * Both benchmarks: the good clients' client-credentials grants, alone and while guessers who know
 * their client ids send wrong secrets from other addresses, one for every good answer (50% of all
 * requests), on the same built auth-server (SQLite file, audit on). CPU µs/req is the server's CPU
 * per good token, the attack's share included.
 */
async function setupAttack(
  { tempDir, connections = CONNECTIONS, log }: BenchmarkContext,
  offeredShare?: number,
): Promise<BenchmarkSession> {
  const cleanup = new CleanupStack();
  try {
    log('starting the auth-server');
    const auth = await AuthServerProcess.start(tempDir);
    cleanup.add(() => auth.stop());
    await auth.createResource(RESOURCE, [SCOPE], TOKEN_TTL_SECONDS);
    const grants = [{ resource: RESOURCE, scopes: [SCOPE] }];
    const clients: ClientCredentials[] = [];
    for (let index = 0; index < GOOD_CLIENTS; index += 1) {
      clients.push(
        await auth.createClient(`good client ${index}`, grants, { tokenEndpointAuthMethod: 'client_secret_post' }),
      );
    }

    const params = { grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE };
    const bodyFor = (client: ClientCredentials, secret = client.secret) =>
      form({ ...params, client_id: client.id, client_secret: secret });
    let goodTurn = 0;
    let wrongTurn = 0;
    const goodBody = () => bodyFor(clients[goodTurn++ % clients.length]);
    // The guessers know the good clients' ids; their secrets are well-formed, so each costs a hash and a lookup.
    const wrongBody = () => bodyFor(clients[wrongTurn++ % clients.length], generateCredential('client_secret'));
    const good: HttpRequestSpec = {
      url: `${auth.url}/oauth/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: goodBody(),
      nextBody: goodBody,
    };
    const attack = new WrongSecretAttack(new URL(good.url), wrongBody, ATTACKER_ADDRESSES, SOCKETS_PER_ATTACKER);
    cleanup.add(async () => attack.close());

    // Both sides send exactly these requests: a good one must get a valid token, a wrong one a
    // 401 that the server saw coming from the attacker's own address.
    const expected = {
      audience: RESOURCE,
      scope: SCOPE,
      clientId: clients[0].id,
      metadataUrl: `${auth.url}/.well-known/oauth-authorization-server`,
    };
    await assertAccessTokenResponse('auth-server', await sendOnce({ ...good, body: bodyFor(clients[0]) }), expected);
    attack.send();
    const first = await attack.report();
    if (first.statuses[401] !== 1)
      throw new Error(`a wrong secret was not answered 401: ${JSON.stringify(first.statuses)}`);
    const audited = await auth.api('GET', '/api/audit?action=client.auth.failed', undefined, 200);
    if (audited.items[0]?.address !== ATTACKER_ADDRESSES[0])
      throw new Error(
        `the server did not see the attacker's address ${ATTACKER_ADDRESSES[0]}: ${JSON.stringify(audited.items[0])}`,
      );

    let requestsPerSecond: number | undefined;
    if (offeredShare !== undefined) {
      const alone = await httpLoad('calibration', good, { connections, seconds: CALIBRATION_SECONDS });
      requestsPerSecond = Math.max(1, Math.round(alone.rps! * offeredShare));
      log(
        `good clients alone answered ${Math.round(alone.rps!)}/s at full load: both sides offer ${requestsPerSecond}/s`,
      );
    }
    const load = { connections, requestsPerSecond };
    const underAttack = `auth-server, good clients + wrong secrets from ${ATTACKER_ADDRESSES.length} other addresses`;
    const alone = 'auth-server, good clients alone';
    return {
      ours: {
        label: underAttack,
        run: (seconds) =>
          withServerCpu([auth.server], async () => {
            const measured = await httpLoad(
              underAttack,
              { ...good, onAnswer: () => attack.send() },
              { ...load, seconds },
            );
            const seen = await attack.report();
            const share = (100 * seen.requests) / (seen.requests + measured.operations);
            const statuses = Object.entries(seen.statuses)
              .map(([status, count]) => `${status}×${count}`)
              .join(' ');
            log(`attackers: ${seen.requests} wrong secrets (${share.toFixed(1)}% of requests), answered ${statuses}`);
            return { ...measured, parts: { 'wrong secrets (attackers)': { p50Ms: seen.p50Ms, p99Ms: seen.p99Ms } } };
          }),
      },
      baseline: {
        label: alone,
        run: (seconds) => withServerCpu([auth.server], () => httpLoad(alone, good, { ...load, seconds })),
      },
      conditions: {
        connections,
        goodClients: GOOD_CLIENTS,
        ...(requestsPerSecond && {
          offeredGoodRequestsPerSecond: `${requestsPerSecond} (${offeredShare! * 100}% of the good clients' full-load rate)`,
        }),
        attackerAddresses: `${ATTACKER_ADDRESSES[0]}–${ATTACKER_ADDRESSES.at(-1)} (bound source addresses)`,
        attackShare: '50%',
      },
      teardown: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

/**
 * Issue 11: good clients asking for tokens at a steady rate (35% of what the server answers them
 * alone at full load) keep their throughput and p99 while guessers send as many wrong secrets.
 * Targets: ≥ 0.8× the throughput, p99 within 2×.
 */
export const authUnderAttack: Benchmark = {
  name: 'authUnderAttack',
  description:
    'good clients’ client_credentials grants/s at a steady offered rate while other addresses send as many wrong secrets (50% of requests) vs no attacker; p99 should stay within 2×',
  kind: 'throughput',
  target: 0.8,
  setup: (context) => setupAttack(context, GOOD_LOAD_SHARE),
};

/**
 * The same at full load (closed loop: every connection sends again as soon as it is answered), so
 * the server is saturated and every refusal takes the place of a grant: the ratio is what a grant
 * costs against a grant plus a refusal. At 0.5× a refusal costs as much as a grant; at the time of
 * issue 11 it cost more (0.38×).
 */
export const authUnderAttackSaturated: Benchmark = {
  name: 'authUnderAttackSaturated',
  description:
    'the same at full load (closed loop): the share of grants left when every other request is a wrong secret; 0.5× means a refusal costs as much as a grant',
  kind: 'throughput',
  target: 0.5,
  setup: (context) => setupAttack(context),
};
