import { basicAuthorization } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { LoadDriver } from '../support/load-driver.js';
import { CRM } from '../support/service-b.harness.js';
import { type Stack, type StackOptions, stackIsRunnable, startStack } from '../support/stack.js';

/** service-b stops trusting cached PAT/API-key introspections this long after the feed went down. */
const STALENESS_SECONDS = 4;
const KINDS: { name: string; options: StackOptions }[] = [
  { name: 'SQLite', options: { database: 'sqlite' } },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'PostgreSQL', options: { database: 'postgres' } as StackOptions }] : []),
];

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Issue 11, fault suite: the auth-server dies (SIGKILL) under JWT, API-key and PAT traffic to
 * service-b, and comes back on the same port and database. What callers see meanwhile, that
 * service-b recovers by itself, and that nothing the auth-server had accepted is lost.
 */
describe.each(KINDS.filter((kind) => stackIsRunnable(kind.options)))(
  'fault: the auth-server killed under traffic ($name)',
  ({ options }) => {
    let stack: Stack;
    let load: LoadDriver | undefined;

    beforeAll(async () => {
      // A long introspection cache: during the outage, cached answers end because of the feed's staleness bound, not because they expire.
      stack = await startStack({
        ...options,
        env: {
          serviceB: {
            REVOCATION_FEED_MAX_STALENESS_SECONDS: String(STALENESS_SECONDS),
            INTROSPECTION_CACHE_SECONDS: '300',
          },
        },
      });
    }, 180_000);

    afterAll(async () => {
      await load?.stop();
      await stack?.stop();
    }, 60_000);

    const crm = (path = '/contacts') => `${stack.serviceB.url}${path}`;
    const status = (headers: Record<string, string>) => fetch(crm(), { headers }).then((response) => response.status);
    const audit = async (query: string) =>
      (await stack.auth.api('GET', `/api/audit?${query}`)).body.items as { action: string }[];
    const usage = async (keyId: string) =>
      (await stack.auth.api('GET', `/api/keys/${keyId}/usage`)).body.totals as Record<string, number>;
    async function newKey(name: string): Promise<{ id: string; key: string }> {
      const created = await stack.auth.api('POST', `/api/consumers/${stack.seeded.apiKey.consumerId}/keys`, {
        name,
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      expect(created.status).toBe(201);
      return { id: created.body.id, key: created.body.key };
    }

    it(
      'callers keep JWTs, keep cached keys until the staleness bound and then get 503; service-b recovers by itself; nothing accepted is lost',
      { timeout: 240_000 },
      async () => {
        const { seeded } = stack;
        const jwt = await stack.token(seeded.reader, CRM);

        // Before the kill: a key and a JWT revoked (and refused), a key used then revoked after the restart.
        const revokedKey = await newKey('revoked before the kill');
        expect(await status({ 'x-api-key': revokedKey.key })).toBe(200);
        expect((await stack.auth.api('DELETE', `/api/keys/${revokedKey.id}`)).status).toBe(204);
        const revokedJwt = await stack.token(seeded.reader, CRM);
        expect(await status({ authorization: `Bearer ${revokedJwt}` })).toBe(200);
        const revocation = await fetch(`${stack.issuer}/oauth/revoke`, {
          method: 'POST',
          headers: {
            authorization: basicAuthorization(seeded.reader.id, seeded.reader.secret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ token: revokedJwt }),
        });
        expect(revocation.status).toBe(200);
        await eventually(async () =>
          expect([
            await status({ 'x-api-key': revokedKey.key }),
            await status({ authorization: `Bearer ${revokedJwt}` }),
          ]).toEqual([401, 401]),
        );
        const laterRevoked = await newKey('revoked right after the restart');
        expect(await status({ 'x-api-key': laterRevoked.key })).toBe(200);

        load = LoadDriver.start([
          { name: 'jwt', url: crm(), headers: { authorization: `Bearer ${jwt}` } },
          { name: 'api-key', url: crm(), headers: { 'x-api-key': seeded.apiKey.key } },
          { name: 'pat', url: crm(), headers: { authorization: `Bearer ${seeded.pat.token}` } },
          { name: 'revoked key', url: crm(), headers: { 'x-api-key': revokedKey.key } },
          { name: 'revoked jwt', url: crm(), headers: { authorization: `Bearer ${revokedJwt}` } },
        ]);
        await load.answered(3);

        // Accepted by the auth-server just before it dies: a usage report with a denial in it.
        const reported = await newKey('usage reported just before the kill');
        const reporter = await stack.token(stack.clients.serviceB, stack.auth.managementApi);
        const at = new Date().toISOString();
        const report = await fetch(`${stack.issuer}/api/usage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${reporter}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            uses: [
              {
                credentialType: 'api_key',
                credentialId: reported.id,
                day: today(),
                statusClass: '2xx',
                count: 7,
                lastUsedAt: at,
                lastUsedAddress: '203.0.113.7',
              },
            ],
            denials: [
              {
                credentialType: 'api_key',
                credentialId: reported.id,
                subject: seeded.apiKey.consumerId,
                reason: 'insufficient_scope',
                count: 1,
                firstAt: at,
                lastAt: at,
                samples: [{ address: '203.0.113.7', method: 'POST', path: '/contacts' }],
              },
            ],
          }),
        });
        expect(report.status).toBe(202);
        await stack.authServer.process.kill();
        const killedAt = Date.now();

        // Down: past the staleness bound, API keys and PATs can no longer be checked.
        await eventually(
          () => expect(load!.of('api-key', killedAt).at(-1)?.status).toBe(503),
          (STALENESS_SECONDS + 15) * 1000,
          100,
        );
        await eventually(() => expect(load!.of('pat', killedAt).at(-1)?.status).toBe(503), 15_000, 100);
        const downUntil = Date.now();
        await load.answered(3);
        await stack.authServer.process.restart();
        const restartedAt = Date.now();

        // Back: service-b follows the feed again and serves keys and PATs, without a restart of its own.
        await eventually(
          async () =>
            expect((await (await fetch(crm('/health'))).json()).authentication.revocationFeed).toBe('connected'),
          30_000,
          50,
        );
        const feedBackAfter = Date.now() - restartedAt;
        await eventually(() => expect(load!.of('api-key', restartedAt).at(-1)?.status).toBe(200), 30_000, 50);
        await eventually(() => expect(load!.of('pat', restartedAt).at(-1)?.status).toBe(200), 30_000, 50);
        const revokedAt = Date.now();
        expect((await stack.auth.api('DELETE', `/api/keys/${laterRevoked.id}`)).status).toBe(204);
        await eventually(async () => expect(await status({ 'x-api-key': laterRevoked.key })).toBe(401), 30_000, 20);
        const revocationAfter = Date.now() - revokedAt;
        await load.answered(3);
        const observations = await load.stop();
        load = undefined;

        // What callers saw, by target: JWTs served throughout; revoked credentials never.
        const statuses = (target: string, from = 0, to = Number.POSITIVE_INFINITY) =>
          [
            ...new Set(
              observations.filter((o) => o.target === target && o.at >= from && o.at < to).map((o) => o.status),
            ),
          ].sort();
        expect(statuses('jwt')).toEqual([200]);
        expect(statuses('revoked jwt')).toEqual([401]);
        // A revoked key: 401 while its "not active" is cached (5 s), then 503 until the auth-server is back.
        expect(statuses('revoked key', killedAt, restartedAt)).toEqual([401, 503]);
        for (const target of ['api-key', 'pat']) {
          const down = observations.filter((o) => o.target === target && o.at >= killedAt && o.at < downUntil);
          // Cached answers are trusted for the staleness bound after the feed dropped, never longer.
          const firstRefusal = down.find((o) => o.status !== 200)!;
          expect(firstRefusal.at - killedAt).toBeGreaterThanOrEqual(STALENESS_SECONDS * 1000 - 200);
          expect(new Set(down.filter((o) => o.at >= firstRefusal.at).map((o) => o.status))).toEqual(new Set([503]));
          expect(firstRefusal).toMatchObject({
            status: 503,
            retryAfter: '5',
            contentType: expect.stringMatching(/^application\/problem\+json/),
          });
          const detail = 'The authorization server could not be reached to check the credential';
          expect(JSON.parse(firstRefusal.body)).toEqual({
            type: 'urn:tollgate:problem:temporarily_unavailable',
            title: 'Service Unavailable',
            status: 503,
            detail,
            error: 'temporarily_unavailable',
            error_description: detail,
          });
        }
        expect(observations.filter((o) => o.status === 500 || o.status === 0)).toEqual([]);

        // Nothing accepted before the kill was lost: revocations, audit, usage (the report and the traffic's).
        expect([
          await status({ 'x-api-key': revokedKey.key }),
          await status({ authorization: `Bearer ${revokedJwt}` }),
        ]).toEqual([401, 401]);
        expect((await audit(`credential=${revokedKey.id}&action=api-key.revoked`)).length).toBe(1);
        expect((await usage(reported.id))['2xx']).toBe(7);
        expect((await audit(`credential=${reported.id}&action=api-key.use.denied`)).length).toBe(1);
        const served = observations.filter((o) => o.target === 'api-key' && o.status === 200).length;
        await eventually(
          async () => expect((await usage(seeded.apiKey.id))['2xx']).toBeGreaterThanOrEqual(served),
          30_000,
          200,
        );
        console.info(
          `auth-server killed: API keys/PATs served from cache for ${STALENESS_SECONDS} s then 503; after the restart service-b's feed reconnected in ${feedBackAfter} ms, a revocation took ${revocationAfter} ms; ` +
            `${served} API-key requests served, ${(await usage(seeded.apiKey.id))['2xx']} recorded`,
        );
      },
    );
  },
);
