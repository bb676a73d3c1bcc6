import { discoverAuthorizationServer } from '@tollgate/m2m-client';
import { decodeJwt } from 'jose';
import { AppProcess } from '../support/app-process.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { CRM } from '../support/service-b.harness.js';
import { IOT, Stack, stackIsRunnable } from '../support/stack.js';

/** RFC 2606: `.invalid` never resolves, so nothing here can reach the auth-server by its issuer URL. */
const PUBLIC_ISSUER = 'http://tollgate-public.invalid:7400';
const MARKETING = 'https://marketing.tollgate.local';
const AUDIENCE_SCOPES = ['audience:read', 'audience:sync'];

/**
 * Issue 16 (docker-compose): the issuer is the URL hosts and browsers use, which the containers may
 * not resolve; the apps reach the auth-server at AUTH_INTERNAL_URL instead and still hold every
 * token and the metadata to AUTH_ISSUER. Here AUTH_ISSUER does not resolve at all, and the built
 * apps (service-b, service-a with DPoP-bound tokens, the broker, a device) work through the internal
 * URL alone.
 */
describe.runIf(stackIsRunnable({ brokers: 1, serviceA: true }))(
  'AUTH_ISSUER that does not resolve, the auth-server reached at AUTH_INTERNAL_URL',
  () => {
    let stack: Stack;
    const devices: AppProcess[] = [];

    beforeAll(async () => {
      stack = await Stack.start({
        publicIssuer: PUBLIC_ISSUER,
        brokers: 1,
        serviceA: true,
        env: { serviceA: { SERVICE_B_BINDING: 'dpop' } },
      });
    }, 180_000);
    afterAll(async () => {
      await Promise.all(devices.map((device) => device.stop()));
      await stack?.stop();
    });

    it('names the public issuer in its metadata and tokens, which does not resolve here', async () => {
      const metadata = await (await fetch(`${stack.issuer}/.well-known/oauth-authorization-server`)).json();
      expect(metadata).toMatchObject({
        issuer: PUBLIC_ISSUER,
        token_endpoint: `${PUBLIC_ISSUER}/oauth/token`,
        jwks_uri: `${PUBLIC_ISSUER}/.well-known/jwks.json`,
        revocation_feed_endpoint: expect.stringMatching(new RegExp(`^${PUBLIC_ISSUER}/`)),
      });
      expect(decodeJwt(await stack.token(stack.seeded.reader, CRM)).iss).toBe(PUBLIC_ISSUER);
      await expect(discoverAuthorizationServer(PUBLIC_ISSUER, { timeoutMs: 5_000 })).rejects.toMatchObject({
        unreachable: true,
      });
    });

    it('service-b, service-a and the broker follow the revocation feed through the internal URL', async () => {
      await stack.feedsConnected();
      const health = await (await fetch(`${stack.serviceA!.url}/health`)).json();
      expect(health).toMatchObject({ authentication: { revocationFeed: 'connected' } });
    });

    it('service-b verifies a JWT (keys fetched internally), a PAT and an API key (introspected internally)', async () => {
      const contacts = `${stack.serviceB.url}/contacts`;
      const jwt = await stack.token(stack.seeded.reader, CRM);
      const answers = await Promise.all([
        fetch(contacts, { headers: { authorization: `Bearer ${jwt}` } }),
        fetch(contacts, { headers: { authorization: `Bearer ${stack.seeded.pat.token}` } }),
        fetch(contacts, { headers: { 'x-api-key': stack.seeded.apiKey.key } }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers[0].headers.get('www-authenticate')).toBeNull();
    });

    it('service-a syncs from service-b with a DPoP-bound token from the internal token endpoint (the proof names the public one)', async () => {
      await stack.auth.createResource(MARKETING, AUDIENCE_SCOPES);
      const caller = await stack.auth.createClient({
        name: 'campaign tool',
        grants: [{ resource: MARKETING, scopes: AUDIENCE_SCOPES }],
      });
      const token = await stack.auth.token(caller.id, caller.secret, { resource: MARKETING });
      const since = new Date(Date.now() - 1_000).toISOString();

      const sync = await fetch(`${stack.serviceA!.url}/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });

      expect(sync.status).toBe(200);
      expect(await sync.json()).toMatchObject({ status: 'ok' });
      const issued = await stack.auth.api(
        'GET',
        `/api/audit?action=token.issued&actor=${stack.clients.serviceA.id}&since=${since}`,
      );
      expect(issued.body.items.map((item: { details: object }) => item.details)).toContainEqual(
        expect.objectContaining({ aud: CRM, binding: 'dpop' }),
      );
    });

    it('a revocation reaches service-b over the feed at once', async () => {
      const contacts = `${stack.serviceB.url}/contacts`;
      const withKey = () => fetch(contacts, { headers: { 'x-api-key': stack.seeded.apiKey.key } });
      expect((await withKey()).status).toBe(200);

      expect((await stack.auth.api('DELETE', `/api/keys/${stack.seeded.apiKey.id}`)).status).toBe(204);

      await eventually(async () => expect((await withKey()).status).toBe(401), 5_000, 25);
    });

    it('a device gets its token and connects to the broker through the internal URL', async () => {
      const healthPort = await freePort();
      const thermostat = await AppProcess.start(
        'thermostat',
        'devices',
        {
          DEVICE_ROLE: 'thermostat',
          CLIENT_ID: stack.clients.thermostat.id,
          CLIENT_SECRET: stack.clients.thermostat.secret,
          AUTH_ISSUER: PUBLIC_ISSUER,
          AUTH_INTERNAL_URL: stack.issuer,
          BROKER_URL: stack.brokers[0].mqttUrl,
          BROKER_RESOURCE: IOT,
          HEALTH_PORT: String(healthPort),
        },
        `http://127.0.0.1:${healthPort}/health`,
      );
      devices.push(thermostat);

      await eventually(async () => {
        const health = await (await fetch(`http://127.0.0.1:${healthPort}/health`)).json();
        expect(health).toMatchObject({ broker: 'connected' });
      }, 30_000);
    });
  },
);
