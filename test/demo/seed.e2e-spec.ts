import { generateCredential } from '@tollgate/credentials';
import { ConfigError } from '@tollgate/platform';
import { decodeJwt } from 'jose';
import { loadSeedConfig, type SeedConfig } from '../../tools/src/seed/seed.config.js';
import { seedStory, storyClients, ZAPFLOW_CONSUMER } from '../../tools/src/seed/seed-story.js';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, AuthServerHarness } from '../support/auth-server.harness.js';
import { freePort } from '../support/free-port.js';

const CRM = 'https://crm.tollgate.local';
const IOT = 'https://iot.tollgate.local';
const MARKETING = 'https://marketing.tollgate.local';

/** The seed library (what `npm run seed` and the demo run) against a real auth-server, through its management API. */
describe('seed: the story provisioned through the management API', () => {
  let auth: AuthServerHarness;
  let config: SeedConfig;
  const secrets = {
    SERVICE_A_CLIENT_SECRET: generateCredential('client_secret'),
    SERVICE_B_CLIENT_SECRET: generateCredential('client_secret'),
    IOT_BROKER_CLIENT_SECRET: generateCredential('client_secret'),
    THERMOSTAT_CLIENT_SECRET: generateCredential('client_secret'),
    HUB_CLIENT_SECRET: generateCredential('client_secret'),
  };

  async function seed(
    options: { enableDisabled?: boolean } = {},
    overrides: Partial<SeedConfig> = {},
  ): Promise<string[]> {
    const lines: string[] = [];
    await seedStory({ ...config, ...overrides }, { ...options, log: (line) => lines.push(line) });
    return lines;
  }

  /** What the seed manages, without timestamps. */
  async function snapshot() {
    const [resources, clients, consumers] = await Promise.all([
      auth.api('GET', '/api/resources'),
      auth.api('GET', '/api/clients'),
      auth.api('GET', '/api/consumers'),
    ]);
    return {
      resources: resources.body.map((r: any) => ({ indicator: r.indicator, scopes: r.scopes })),
      clients: clients.body.map((c: any) => ({
        id: c.id,
        kind: c.kind,
        disabled: c.disabled,
        grants: c.grants,
        secrets: c.secrets.map((s: any) => [s.id, s.active]),
      })),
      consumers: consumers.body.map((c: any) => ({ id: c.id, name: c.name, disabled: c.disabled })),
    };
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    config = loadSeedConfig({
      AUTH_ISSUER: auth.issuer,
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
      SEED_WAIT_SECONDS: '10',
      ...secrets,
    });
  });
  afterAll(async () => {
    await auth.stop();
  });

  it('creates the resources, the five story clients and the consumer; a second run changes nothing', async () => {
    expect(await seed()).toEqual([
      `✓ auth-server ${auth.issuer}: answering; the bootstrap admin "${ADMIN_CLIENT_ID}" holds scope admin`,
      `✓ resource ${CRM}: created (scopes contacts:read contacts:write)`,
      `✓ resource ${IOT}: created (scopes device devices:control:thermostat-1 devices:read:*)`,
      `✓ resource ${MARKETING}: created (scopes audience:read audience:sync)`,
      `✓ client service-a: created (service; contacts:read on ${CRM}; revocations:read on ${auth.issuer}/api)`,
      `✓ client service-b: created (service; tokens:introspect usage:write revocations:read on ${auth.issuer}/api)`,
      `✓ client iot-broker: created (service; revocations:read usage:write on ${auth.issuer}/api)`,
      `✓ client thermostat-1: created (device; device on ${IOT})`,
      `✓ client hub-1: created (device; devices:control:thermostat-1 devices:read:* on ${IOT})`,
      `✓ API consumer "${ZAPFLOW_CONSUMER.name}": created`,
    ]);
    const first = await snapshot();
    expect(first.consumers).toEqual([expect.objectContaining({ name: 'Zapflow (demo integration)', disabled: false })]);
    expect(first.clients.find((c: any) => c.id === 'hub-1')).toMatchObject({
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['devices:control:thermostat-1', 'devices:read:*'] }],
    });

    const second = await seed();
    expect(second.slice(1)).toEqual([
      `✓ resource ${CRM}: up to date`,
      `✓ resource ${IOT}: up to date`,
      `✓ resource ${MARKETING}: up to date`,
      ...['service-a', 'service-b', 'iot-broker', 'thermostat-1', 'hub-1'].map((id) => `✓ client ${id}: up to date`),
      `✓ API consumer "${ZAPFLOW_CONSUMER.name}": up to date`,
    ]);
    expect(await snapshot()).toEqual(first);
  });

  it('gives every client a token for each of its grants with its configured secret', async () => {
    await seed();
    for (const client of storyClients(config, `${auth.issuer}/api`)) {
      for (const grant of client.grants) {
        const claims = decodeJwt(
          await auth.token(client.id, secrets[client.secretSource as keyof typeof secrets], {
            resource: grant.resource,
          }),
        );
        expect({
          client: client.id,
          sub: claims.sub,
          aud: claims.aud,
          scope: String(claims.scope).split(' ').sort(),
        }).toEqual({
          client: client.id,
          sub: client.id,
          aud: grant.resource,
          scope: [...grant.scopes].sort(),
        });
      }
    }
  });

  it('sets the configured secret again when the client’s secret was changed, and the changed one stops working', async () => {
    await seed();
    const rotated = await auth.api('POST', '/api/clients/service-a/secrets', { expireCurrentInMinutes: 0 });
    expect(rotated.status).toBe(201);
    expect(
      (
        await auth.tokenRequest(
          { grant_type: 'client_credentials', resource: CRM },
          { id: 'service-a', secret: secrets.SERVICE_A_CLIENT_SECRET },
        )
      ).status,
    ).toBe(401);

    expect(await seed()).toContain(
      '✓ client service-a: secret set to the configured one (the previous one expires now)',
    );
    expect(
      (
        await auth.tokenRequest(
          { grant_type: 'client_credentials', resource: CRM },
          { id: 'service-a', secret: secrets.SERVICE_A_CLIENT_SECRET },
        )
      ).status,
    ).toBe(200);
    const refused = await auth.tokenRequest(
      { grant_type: 'client_credentials', resource: CRM },
      { id: 'service-a', secret: rotated.body.clientSecret },
    );
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: 'invalid_client' });
  });

  it('takes back its own secret after it was replaced and expired', async () => {
    await seed();
    expect((await auth.api('POST', '/api/clients/iot-broker/secrets', { expireCurrentInMinutes: 0 })).status).toBe(201);
    // The configured secret is now an expired secret of the same client: the API refuses it as "in use" until it is removed.
    expect(await seed()).toContain(
      '✓ client iot-broker: secret set to the configured one (the previous one expires now)',
    );
    expect(
      (
        await auth.tokenRequest(
          { grant_type: 'client_credentials' },
          { id: 'iot-broker', secret: secrets.IOT_BROKER_CLIENT_SECRET },
        )
      ).status,
    ).toBe(200);
  });

  it('adds missing scopes and grants, and keeps what an operator added', async () => {
    await seed();
    const crm = (await auth.api('GET', '/api/resources')).body.find((r: any) => r.indicator === CRM);
    expect(
      (await auth.api('PATCH', `/api/resources/${crm.id}`, { scopes: ['contacts:read', 'contacts:export'] })).status,
    ).toBe(200);
    expect((await auth.api('PATCH', '/api/clients/service-a', { grants: [] })).status).toBe(200);

    const lines = await seed();
    expect(lines).toContain(`✓ resource ${CRM}: scopes added (contacts:write)`);
    expect(lines).toContain(
      `✓ client service-a: grants added (contacts:read on ${CRM}; revocations:read on ${auth.issuer}/api)`,
    );
    expect((await auth.api('GET', `/api/resources/${crm.id}`)).body.scopes).toEqual([
      'contacts:read',
      'contacts:export',
      'contacts:write',
    ]);
    const grants = (await auth.api('GET', '/api/clients/service-a')).body.grants;
    expect(grants).toHaveLength(2);
    expect(grants).toEqual(
      expect.arrayContaining([
        { resource: CRM, scopes: ['contacts:read'] },
        { resource: `${auth.issuer}/api`, scopes: ['revocations:read'] },
      ]),
    );
  });

  it('leaves a client an operator disabled as it is (the demo asks for it to be enabled)', async () => {
    await seed();
    expect((await auth.api('PATCH', '/api/clients/hub-1', { disabled: true })).status).toBe(200);

    expect(await seed()).toContain(
      '! client hub-1: disabled, left disabled (enable it with PATCH /api/clients/hub-1 {"disabled":false}); its secret was not checked',
    );
    expect((await auth.api('GET', '/api/clients/hub-1')).body.disabled).toBe(true);

    expect(await seed({ enableDisabled: true })).toContain('✓ client hub-1: enabled again');
    expect((await auth.api('GET', '/api/clients/hub-1')).body.disabled).toBe(false);
  });

  it('stops with a clear error when a story id belongs to a client of another kind', async () => {
    await auth.createClient({ id: 'thermostat-9', name: 'not a device', kind: 'service', grants: [] });
    const wrongKind = {
      ...config,
      clients: { ...config.clients, thermostat: { id: 'thermostat-9', secret: secrets.THERMOSTAT_CLIENT_SECRET } },
    };
    await expect(seedStory(wrongKind, { log: () => undefined })).rejects.toThrow(
      'client thermostat-9 exists as a service client but the story needs a device: delete it (DELETE /api/clients/thermostat-9) or choose another id',
    );
  });

  it('refuses a wrong bootstrap secret with a message naming the variables', async () => {
    const wrong = {
      ...config,
      admin: { clientId: ADMIN_CLIENT_ID, clientSecret: generateCredential('client_secret') },
    };
    await expect(seedStory(wrong, { log: () => undefined })).rejects.toThrow(
      `The auth-server at ${auth.issuer} refused the bootstrap admin "${ADMIN_CLIENT_ID}" (invalid_client): BOOTSTRAP_ADMIN_CLIENT_ID and BOOTSTRAP_ADMIN_CLIENT_SECRET must be the ones the auth-server was started with`,
    );
  });

  it('creates the console admin once (role admin, able to sign in) and never resets their password', async () => {
    const person = { email: 'ops-admin@example.com', password: 'first password of ops' };
    const lines = await seed({}, { consoleAdmin: person });
    expect(lines.at(-1)).toBe(
      `✓ console admin ${person.email}: created (role admin; sign in at ${auth.issuer}/console)`,
    );
    const signedIn = await fetch(`${auth.issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(person),
    });
    expect(signedIn.status).toBe(200);
    expect((await signedIn.json()).user).toMatchObject({ email: person.email, roles: ['admin'] });

    expect((await seed({}, { consoleAdmin: { ...person, password: 'another password now' } })).at(-1)).toBe(
      `✓ console admin ${person.email}: exists (its password and roles are left as they are)`,
    );
    const again = await fetch(`${auth.issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(person),
    });
    expect(again.status).toBe(200);
  });

  it('gives up on an auth-server that does not answer /health, naming the address', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    await expect(seedStory({ ...config, issuer, waitMs: 600 }, { log: () => undefined })).rejects.toThrow(
      new RegExp(
        `^The auth-server at ${issuer} did not answer GET /health within 1 s \\(last: .*ECONNREFUSED.*\\)\\. Is it running, and is AUTH_ISSUER \\(or AUTH_INTERNAL_URL\\) its URL\\?$`,
      ),
    );
  });
});

/** docker-compose: the issuer is the URL the host uses, which the seed's container does not resolve. */
describe('seed: the auth-server reached at AUTH_INTERNAL_URL, its issuer URL unresolvable here', () => {
  const PUBLIC_ISSUER = 'http://tollgate-public.invalid:7400';
  let auth: AuthServerHarness;

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ env: { AUTH_ISSUER: PUBLIC_ISSUER } });
  });
  afterAll(async () => {
    await auth.stop();
  });

  it('provisions the story through the internal URL, naming the public issuer', async () => {
    const internalUrl = `http://127.0.0.1:${auth.config.port}`;
    const config = loadSeedConfig({
      AUTH_ISSUER: PUBLIC_ISSUER,
      AUTH_INTERNAL_URL: internalUrl,
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
      SERVICE_A_CLIENT_SECRET: generateCredential('client_secret'),
      SERVICE_B_CLIENT_SECRET: generateCredential('client_secret'),
      IOT_BROKER_CLIENT_SECRET: generateCredential('client_secret'),
      THERMOSTAT_CLIENT_SECRET: generateCredential('client_secret'),
      HUB_CLIENT_SECRET: generateCredential('client_secret'),
      CONSOLE_ADMIN_PASSWORD: 'the console admin password',
      SEED_WAIT_SECONDS: '10',
    });
    const lines: string[] = [];

    const { api } = await seedStory(config, { log: (line) => lines.push(line) });

    expect(lines[0]).toBe(
      `✓ auth-server ${PUBLIC_ISSUER} (reached at ${internalUrl}): answering; the bootstrap admin "${ADMIN_CLIENT_ID}" holds scope admin`,
    );
    expect(lines).toContain(
      `✓ client service-b: created (service; tokens:introspect usage:write revocations:read on ${PUBLIC_ISSUER}/api)`,
    );
    expect(lines.at(-1)).toBe(
      `✓ console admin admin@tollgate.local: created (role admin; sign in at ${PUBLIC_ISSUER}/console)`,
    );
    expect(api.metadata.issuer).toBe(PUBLIC_ISSUER);
    // What the metadata names is fetched at the internal URL.
    const jwks = await (await api.fetch(String(api.metadata.jwks_uri))).json();
    expect(jwks.keys.length).toBeGreaterThan(0);
  });
});

describe(loadSeedConfig.name, () => {
  const valid = {
    AUTH_ISSUER: 'http://auth-server:7400',
    BOOTSTRAP_ADMIN_CLIENT_ID: 'admin',
    BOOTSTRAP_ADMIN_CLIENT_SECRET: 'a'.repeat(32),
    SERVICE_A_CLIENT_SECRET: 'b'.repeat(32),
    SERVICE_B_CLIENT_SECRET: 'c'.repeat(32),
    IOT_BROKER_CLIENT_SECRET: 'd'.repeat(32),
    THERMOSTAT_CLIENT_SECRET: 'e'.repeat(32),
    HUB_CLIENT_SECRET: 'f'.repeat(32),
  };

  function problems(env: Record<string, string>): string[] {
    try {
      loadSeedConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  }

  it('reads the console admin and the internal URL, and refuses a password that is the email', () => {
    expect(
      loadSeedConfig({
        ...valid,
        AUTH_ISSUER: 'http://localhost:7400',
        AUTH_INTERNAL_URL: 'http://auth-server:7400',
        CONSOLE_ADMIN_PASSWORD: 'a long enough password',
      }),
    ).toMatchObject({
      issuer: 'http://localhost:7400',
      internalUrl: 'http://auth-server:7400',
      consoleAdmin: { email: 'admin@tollgate.local', password: 'a long enough password' },
    });
    expect(loadSeedConfig(valid).consoleAdmin).toBeUndefined();
    expect(problems({ ...valid, AUTH_INTERNAL_URL: 'http://auth-server:7400/auth' })).toEqual([
      'AUTH_INTERNAL_URL: must be an origin (scheme://host[:port]) without path, query or trailing "/" ("http://auth-server:7400/auth")',
    ]);
    expect(
      problems({ ...valid, CONSOLE_ADMIN_EMAIL: 'Admin@Example.com', CONSOLE_ADMIN_PASSWORD: 'admin@example.com' }),
    ).toEqual(['CONSOLE_ADMIN_PASSWORD: must not be the email address']);
    expect(problems({ ...valid, CONSOLE_ADMIN_PASSWORD: 'short' })).toEqual([
      'CONSOLE_ADMIN_PASSWORD: must be 12–256 characters (set (hidden))',
    ]);
  });

  it('applies the documented defaults', () => {
    const sut = loadSeedConfig(valid);
    expect(sut).toMatchObject({
      issuer: 'http://auth-server:7400',
      crmResource: CRM,
      iotResource: IOT,
      marketingResource: MARKETING,
      waitMs: 60_000,
    });
    expect(Object.fromEntries(Object.entries(sut.clients).map(([role, client]) => [role, client.id]))).toEqual({
      serviceA: 'service-a',
      serviceB: 'service-b',
      iotBroker: 'iot-broker',
      thermostat: 'thermostat-1',
      hub: 'hub-1',
    });
  });

  it('names every missing variable at once', () => {
    expect(problems({})).toEqual([
      'BOOTSTRAP_ADMIN_CLIENT_ID: is required (unset)',
      'BOOTSTRAP_ADMIN_CLIENT_SECRET: is required (unset)',
      'SERVICE_A_CLIENT_SECRET: is required (unset)',
      'SERVICE_B_CLIENT_SECRET: is required (unset)',
      'IOT_BROKER_CLIENT_SECRET: is required (unset)',
      'THERMOSTAT_CLIENT_SECRET: is required (unset)',
      'HUB_CLIENT_SECRET: is required (unset)',
      'AUTH_ISSUER: is required (unset)',
    ]);
  });

  it('refuses bad URLs and short secrets, without showing the secret', () => {
    expect(problems({ ...valid, AUTH_ISSUER: 'http://auth-server:7400/', HUB_CLIENT_SECRET: 'short' })).toEqual([
      'HUB_CLIENT_SECRET: must be a tgs_ client secret as the auth-server generates it, or an operator-chosen secret of 32–512 characters (set (hidden))',
      'AUTH_ISSUER: must not end with "/" nor carry a query or fragment ("http://auth-server:7400/")',
    ]);
  });

  it('refuses a secret or an id shared by two clients, and one resource for two audiences', () => {
    expect(
      problems({
        ...valid,
        THERMOSTAT_CLIENT_SECRET: valid.SERVICE_A_CLIENT_SECRET,
        HUB_CLIENT_ID: 'service-a',
        IOT_RESOURCE: CRM,
      }),
    ).toEqual([
      '*_CLIENT_ID: each client needs its own id (service-a used twice)',
      'THERMOSTAT_CLIENT_SECRET: each client needs its own secret (same value as another *_CLIENT_SECRET)',
      'CRM_RESOURCE and IOT_RESOURCE: must differ',
    ]);
    expect(problems({ ...valid, MARKETING_RESOURCE: IOT })).toEqual([
      'IOT_RESOURCE and MARKETING_RESOURCE: must differ',
    ]);
  });
});
