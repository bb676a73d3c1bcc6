import { ClientCredentialsTokenProvider } from '@tollgate/m2m-client';
import { RevocationFeedClient, type SequencedRevocationEvent } from '@tollgate/verifier';
import { AppProcess, type ProcessExit } from '../support/app-process.js';
import { basicAuthorization } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { beginRequest } from '../support/in-flight-request.js';
import { collectMessages, connectDevice, endAll, grantedQos, whenClosed } from '../support/mqtt-test-client.js';
import { CRM } from '../support/service-b.harness.js';
import { type Credentials, IOT, type Stack, stackIsRunnable, startStack } from '../support/stack.js';

/** Issue 11 point 12: every app exits on SIGTERM within 10 s, with its work drained. */
const WITHIN_MS = 10_000;

/** Follows an auth-server's revocation feed as a verifier does (the verifier's own client), recording events and connection changes. */
function followFeed(issuer: string, client: Credentials) {
  const events: SequencedRevocationEvent[] = [];
  const connections: boolean[] = [];
  const feed = new RevocationFeedClient({
    url: `${issuer}/api/revocations/stream`,
    tokens: new ClientCredentialsTokenProvider({
      issuer,
      clientId: client.id,
      clientSecret: client.secret,
      resource: `${issuer}/api`,
      scope: 'revocations:read',
    }),
    onEvent: (event) => events.push(event),
    onConnectionChange: (connected) => connections.push(connected),
  });
  feed.start();
  return { feed, events, connections };
}

/** Resolves once nothing listens on `url` any more (the app has closed its port). */
async function portClosed(url: string): Promise<void> {
  await eventually(async () => {
    const answer = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      () => 'answered',
      () => 'refused',
    );
    expect(answer).toBe('refused');
  }, WITHIN_MS);
}

/** The process exited by itself (not killed), with `code`, within the 10 s. */
function expectExit(exit: ProcessExit, code: number): void {
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code, signal: null });
  expect(exit.afterMs).toBeLessThan(WITHIN_MS);
}

const today = () => new Date().toISOString().slice(0, 10);

describe.runIf(stackIsRunnable({ brokers: 1, serviceA: true }))(
  'SIGTERM: every app drains its work and exits 0 within 10 s',
  () => {
    let stack: Stack;

    async function newKey(name: string): Promise<{ id: string; key: string }> {
      const created = await stack.auth.api('POST', `/api/consumers/${stack.seeded.apiKey.consumerId}/keys`, {
        name,
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      expect(created.status).toBe(201);
      return { id: created.body.id, key: created.body.key };
    }

    const usageOf = async (keyId: string) =>
      (await stack.auth.api('GET', `/api/keys/${keyId}/usage`)).body.totals as Record<string, number>;

    beforeAll(async () => {
      stack = await startStack({ brokers: 1, serviceA: true });
    }, 180_000);

    // Each test stops one app: whatever it left stopped starts again (same port, same data) for the next.
    afterEach(async () => {
      for (const process of stack.processes.filter((p) => !p.running)) await process.restart();
      await stack.feedsConnected();
    }, 90_000);

    afterAll(async () => {
      await stack?.stop();
    }, 60_000);

    it(
      'auth-server: ends its feed streams at once, answers the request in flight, keeps the usage it accepted, and exits 0',
      { timeout: 90_000 },
      async () => {
        const auth = stack.authServer;
        const subscriber = followFeed(stack.issuer, stack.clients.serviceB);
        await eventually(() => expect(subscriber.connections.at(-1)).toBe(true), 15_000);

        // Work accepted just before SIGTERM: a revocation and a usage report.
        const revoked = await newKey('revoked just before SIGTERM');
        expect((await stack.auth.api('DELETE', `/api/keys/${revoked.id}`)).status).toBe(204);
        const reported = await newKey('usage reported just before SIGTERM');
        const usageToken = await stack.token(stack.clients.serviceB, stack.auth.managementApi);
        const use = {
          credentialType: 'api_key',
          credentialId: reported.id,
          day: today(),
          statusClass: '2xx',
          count: 7,
          lastUsedAt: new Date().toISOString(),
          lastUsedAddress: '203.0.113.7',
        };
        const report = await fetch(`${auth.url}/api/usage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${usageToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ uses: [use], denials: [] }),
        });
        expect(report.status).toBe(202);
        const inFlight = await beginRequest(`${auth.url}/oauth/token`, {
          headers: {
            authorization: basicAuthorization(stack.seeded.reader.id, stack.seeded.reader.secret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials', resource: CRM }).toString(),
        });

        const exit = auth.process.terminate();
        // The feed stream ends at once (it used to last as long as the subscriber's token, 15 minutes)...
        await eventually(() => expect(subscriber.connections.at(-1)).toBe(false), WITHIN_MS);
        expect(subscriber.events.map((event) => event.type === 'credential.revoked' && event.credentialId)).toContain(
          revoked.id,
        );
        // ...and the broker's /health says so.
        await eventually(
          async () =>
            expect((await (await fetch(stack.brokers[0].healthUrl)).json()).revocationFeed).toBe('disconnected'),
          WITHIN_MS,
        );
        // The request begun before SIGTERM is answered.
        const answer = await inFlight.finish();
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
        expectExit(await exit, 0);

        await auth.process.restart();
        expect((await usageOf(reported.id))['2xx']).toBe(7);
        // The subscriber resumes after its Last-Event-ID: the next revocation arrives, nothing twice, nothing skipped.
        const next = await newKey('revoked after the restart');
        expect((await stack.auth.api('DELETE', `/api/keys/${next.id}`)).status).toBe(204);
        await eventually(
          () =>
            expect(
              subscriber.events.map((event) => event.type === 'credential.revoked' && event.credentialId),
            ).toContain(next.id),
          20_000,
          50,
        );
        const feedReader = await stack.token(stack.clients.serviceB, stack.auth.managementApi);
        const all = (
          await stack.auth.api('GET', `/api/revocations?after=${subscriber.events[0].seq}`, undefined, feedReader)
        ).body.items as SequencedRevocationEvent[];
        expect(subscriber.events.slice(1).map((event) => event.seq)).toEqual(all.map((event) => event.seq));
        await subscriber.feed.stop();
      },
    );

    it(
      'auth-server: a drain that cannot finish (a request whose body never comes) is cut; the process exits 1 within 10 s and says what did not finish',
      { timeout: 60_000 },
      async () => {
        const auth = stack.authServer;
        const stuck = await beginRequest(`${auth.url}/oauth/token`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        const exit = await auth.process.terminate();
        stuck.abandon();
        expectExit(exit, 1);
        expect(auth.process.output.join('\n')).toMatch(
          /in-flight HTTP requests did not finish: 1 connection\(s\) still busy after 5 s were closed/,
        );
      },
    );

    it(
      'service-b: answers the request in flight, reports the usage it counted, and exits 0',
      { timeout: 60_000 },
      async () => {
        const crm = stack.serviceB;
        const key = await newKey('used just before SIGTERM');
        for (let i = 0; i < 5; i += 1)
          expect((await fetch(`${crm.url}/contacts`, { headers: { 'x-api-key': key.key } })).status).toBe(200);
        const jwt = await stack.token(stack.seeded.reader, CRM);
        const inFlight = await beginRequest(`${crm.url}/contacts`, {
          headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Grace Hopper', email: 'grace@example.com' }),
        });

        const exit = crm.process.terminate();
        await portClosed(`${crm.url}/health`);
        const answer = await inFlight.finish();
        expect(answer.status).toBe(201);
        expect(JSON.parse(answer.body)).toMatchObject({ name: 'Grace Hopper' });
        expectExit(await exit, 0);
        // Its usage was reported on the way out (the reporter otherwise sends every 5 s).
        await eventually(async () => expect((await usageOf(key.id))['2xx']).toBe(5), 15_000, 200);
      },
    );

    it('service-a: answers the request in flight and exits 0', { timeout: 60_000 }, async () => {
      const serviceA = stack.serviceA!;
      const inFlight = await beginRequest(`${serviceA.url}/no-such-route`, {
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const exit = serviceA.process.terminate();
      await portClosed(`${serviceA.url}/health`);
      const answer = await inFlight.finish();
      expect(answer.status).toBe(404);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectExit(await exit, 0);
    });

    it('iot-broker: closes the sessions of its devices and exits 0', { timeout: 60_000 }, async () => {
      const broker = stack.brokers[0];
      const thermostat = await connectDevice(broker.mqttUrl, {
        clientId: 'thermostat-1',
        password: await stack.token(stack.clients.thermostat, IOT),
      });
      const closed = whenClosed(thermostat);
      const exit = await broker.process.terminate();
      expectExit(exit, 0);
      await closed;
      await endAll(thermostat);
    });

    it(
      'devices: a thermostat disconnects cleanly (its will is not published) and exits 0',
      { timeout: 60_000 },
      async () => {
        const broker = stack.brokers[0];
        const healthPort = await freePort();
        const thermostat = await AppProcess.start(
          'thermostat',
          'devices',
          {
            DEVICE_ROLE: 'thermostat',
            CLIENT_ID: stack.clients.thermostat.id,
            CLIENT_SECRET: stack.clients.thermostat.secret,
            AUTH_ISSUER: stack.issuer,
            BROKER_URL: broker.mqttUrl,
            HEALTH_PORT: String(healthPort),
          },
          `http://127.0.0.1:${healthPort}/health`,
        );
        try {
          await eventually(
            async () => expect((await (await fetch(broker.healthUrl)).json()).connectedDevices).toBe(1),
            20_000,
            100,
          );
          const exit = await thermostat.terminate();
          expectExit(exit, 0);
          await eventually(
            async () => expect((await (await fetch(broker.healthUrl)).json()).connectedDevices).toBe(0),
            WITHIN_MS,
            100,
          );

          // The retained state is the thermostat's last own state, not its will ({ online: false }).
          const hub = await connectDevice(broker.mqttUrl, {
            clientId: 'hub-1',
            password: await stack.token(stack.clients.hub, IOT),
          });
          const inbox = collectMessages(hub);
          expect(await grantedQos(hub, ['devices/thermostat-1/state'])).toEqual([1]);
          await eventually(
            () =>
              expect(inbox.find((message) => message.topic === 'devices/thermostat-1/state')?.json()).toMatchObject({
                online: true,
              }),
            WITHIN_MS,
          );
          await endAll(hub);
        } finally {
          await thermostat.stop();
        }
      },
    );
  },
);

const SCALED = { database: 'postgres', redis: true, authServers: 2, serviceBs: 1, brokers: 1 } as const;

describe.runIf(stackIsRunnable(SCALED))(
  'SIGTERM in the scaled shape: feed subscribers move to the other auth-server',
  () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack(SCALED);
    }, 240_000);

    afterAll(async () => {
      await stack?.stop();
    }, 60_000);

    it(
      'a subscriber resumes at the second instance from Last-Event-ID: no event missed, none twice; service-b and the broker follow it there',
      { timeout: 120_000 },
      async () => {
        const [first, second] = stack.authServers;
        const subscriber = followFeed(stack.issuer, stack.clients.serviceB);
        await eventually(() => expect(subscriber.connections.at(-1)).toBe(true), 15_000);
        const revokeKey = async (at: typeof first, name: string) => {
          const created = await at.api.api('POST', `/api/consumers/${stack.seeded.apiKey.consumerId}/keys`, {
            name,
            grants: [{ resource: CRM, scopes: ['contacts:read'] }],
          });
          expect((await at.api.api('DELETE', `/api/keys/${created.body.id}`)).status).toBe(204);
          return created.body.id as string;
        };
        const revokedIds = () =>
          subscriber.events.map((event) => event.type === 'credential.revoked' && event.credentialId);

        const before = await revokeKey(first, 'revoked at the first instance just before SIGTERM');
        const exit = first.process.terminate();
        const after = await revokeKey(second, 'revoked at the second instance while the first stops');

        expectExit(await exit, 0);
        await eventually(() => expect(revokedIds()).toEqual(expect.arrayContaining([before, after])), 20_000, 50);
        expect(subscriber.connections).toEqual([true, false, true]);
        const feedReader = await second.api.token(stack.clients.serviceB.id, stack.clients.serviceB.secret, {
          resource: stack.auth.managementApi,
        });
        const stored = (
          await second.api.api('GET', `/api/revocations?after=${subscriber.events[0].seq}`, undefined, feedReader)
        ).body.items as SequencedRevocationEvent[];
        expect(subscriber.events.slice(1).map((event) => event.seq)).toEqual(stored.map((event) => event.seq));
        // The real verifiers moved too: service-b has applied the last event, the broker follows the feed again.
        const last = stored.at(-1)!.seq;
        await eventually(
          async () =>
            expect((await (await fetch(`${stack.serviceB.url}/health`)).json()).authentication).toMatchObject({
              revocationFeed: 'connected',
              lastRevocationEventId: last,
            }),
          20_000,
          100,
        );
        await eventually(
          async () => expect((await (await fetch(stack.brokers[0].healthUrl)).json()).revocationFeed).toBe('connected'),
          20_000,
          100,
        );
        await subscriber.feed.stop();
        await first.process.restart();
      },
    );
  },
);
