import { ManualClock } from '@tollgate/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ClientAssertionVerifier } from '../../apps/auth-server/src/oauth/client-assertion.verifier.js';
import { PasswordHasher } from '../../apps/auth-server/src/users/password-hasher.js';
import {
  AuthServerHarness,
  basicAuthorization,
  type JsonResponse,
  TEST_PASSWORD,
  toJson,
} from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { clientAssertion, type ClientKey, generateClientKey, JWT_BEARER } from '../support/jose-forge.js';
import { createPostgresDatabase, type TestDatabase, testDatabases } from '../support/test-databases.js';

/**
 * Issue 11, points 2 and 3, tried as an attacker: concurrent guesses never get more verifications
 * than the limit allows (at one instance, or at two sharing Redis), and knowing a client id or an
 * email is not enough to lock its owner out.
 */

const CRM = 'https://crm.tollgate.test';
const CC = { grant_type: 'client_credentials', resource: CRM };
const WRONG_PASSWORD = 'not the password at all';

interface Registered {
  id: string;
  secret: string;
}

/** A documentation-range address no other run uses (Redis keeps failure counts per address for a minute). */
function freshAddress(): string {
  return `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
}

/** Where an instance listens (two instances of one deployment share the issuer, not the port). */
function urlOf(server: AuthServerHarness): string {
  return `http://127.0.0.1:${server.config.port}`;
}

/** Behind a proxy (TRUST_PROXY), X-Forwarded-For carries the caller's address. */
function post(
  server: AuthServerHarness,
  path: string,
  headers: Record<string, string>,
  body: string,
  address: string,
): Promise<JsonResponse> {
  return fetch(urlOf(server) + path, {
    method: 'POST',
    headers: { ...headers, 'x-forwarded-for': address },
    body,
  }).then(toJson);
}

function signIn(server: AuthServerHarness, email: string, password: string, address: string): Promise<JsonResponse> {
  return post(
    server,
    '/api/session',
    { 'content-type': 'application/json' },
    JSON.stringify({ email, password }),
    address,
  );
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function withSecret(
  server: AuthServerHarness,
  client: Registered,
  address: string,
  path = '/oauth/token',
): Promise<JsonResponse> {
  const params = path === '/oauth/token' ? CC : { token: 'tgp_unknown' };
  return post(
    server,
    path,
    { ...FORM, authorization: basicAuthorization(client.id, client.secret) },
    new URLSearchParams(params).toString(),
    address,
  );
}

function withAssertion(
  server: AuthServerHarness,
  clientId: string,
  assertion: string,
  address: string,
): Promise<JsonResponse> {
  const params = { ...CC, client_id: clientId, client_assertion_type: JWT_BEARER, client_assertion: assertion };
  return post(server, '/oauth/token', FORM, new URLSearchParams(params).toString(), address);
}

/** How many answers had each status, e.g. `{ 401: 10, 429: 30 }`. */
function tally(responses: JsonResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

function expectSignInThrottled(response: JsonResponse): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 429,
    body: expect.objectContaining({
      type: 'urn:tollgate:problem:too_many_attempts',
      status: 429,
      detail: expect.stringMatching(/^Too many (failed sign-ins|sign-ins in progress); retry in \d+ s$/),
    }),
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

function expectClientThrottled(response: JsonResponse): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 429,
    body: {
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(
        /^Too many (failed client authentications|client authentications in progress); retry in \d+ s$/,
      ),
    },
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

/**
 * Holds every call to a verification step (argon2, the assertion verifier, the secret lookup) of
 * these servers until opened, counting the calls: requests sent together then overlap there
 * whatever the machine's speed, as they do on a loaded server or a remote database.
 */
class VerificationGate {
  private calls = 0;
  private release!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  private readonly spies: { mockRestore(): void }[] = [];

  constructor(targets: { object: any; method: string; when?: (...args: any[]) => boolean }[]) {
    for (const { object, method, when } of targets) {
      const original = object[method].bind(object);
      this.spies.push(
        vi.spyOn(object, method).mockImplementation(async (...args: any[]) => {
          if (!when || when(...args)) {
            this.calls += 1;
            await this.opened;
          }
          return original(...args);
        }),
      );
    }
  }

  static passwords(servers: AuthServerHarness[]): VerificationGate {
    return new VerificationGate(
      servers.map((server) => ({ object: server.app.get(PasswordHasher, { strict: false }), method: 'verify' })),
    );
  }

  static assertions(servers: AuthServerHarness[]): VerificationGate {
    return new VerificationGate(
      servers.map((server) => ({
        object: server.app.get(ClientAssertionVerifier, { strict: false }),
        method: 'verify',
      })),
    );
  }

  static secretLookups(servers: AuthServerHarness[]): VerificationGate {
    return new VerificationGate(
      servers.map((server) => ({
        object: server.app.get(DataSource),
        method: 'query',
        when: (sql: string) => /FROM "client_secrets"/.test(sql),
      })),
    );
  }

  /** How many calls reached the step. */
  get reached(): number {
    return this.calls;
  }

  /** Sends `count` requests at once; opens once each has reached the step or been answered. */
  async overlap(count: number, send: (index: number) => Promise<JsonResponse>): Promise<JsonResponse[]> {
    let answered = 0;
    const pending = Array.from({ length: count }, (_, index) =>
      send(index).then((response) => ((answered += 1), response)),
    );
    try {
      await eventually(() => expect(this.calls + answered).toBe(count), 30_000);
    } finally {
      this.release();
      for (const spy of this.spies) spy.mockRestore();
    }
    return Promise.all(pending);
  }
}

describe.each(testDatabases())('guessing credentials concurrently and from many addresses, on $name', ({ create }) => {
  const clock = new ManualClock(Date.now());
  let server: AuthServerHarness;
  let jwtKey: ClientKey;
  let forgedKey: ClientKey;

  const assertion = (clientId: string, key = jwtKey) =>
    clientAssertion(key, clientId, server.issuer, { now: clock.now() });
  const newClient = () =>
    server.createClient({ name: 'victim', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
  const newJwtClient = async () =>
    (
      await server.createClient({
        name: 'device',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [jwtKey.publicJwk] },
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      })
    ).id;
  const newPerson = async () => (await server.createUser({ email: `${randomUUID()}@example.com` })).email as string;
  const auditSince = async (query: string, since: Date) =>
    (await server.api('GET', `/api/audit?${query}&since=${since.toISOString()}`)).body.items;

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create(), clock, env: { TRUST_PROXY: 'true' } });
    await server.createResource(CRM, ['contacts:read'], { accessTokenTtl: 600 });
    [jwtKey, forgedKey] = await Promise.all([generateClientKey(), generateClientKey()]);
  });
  afterAll(() => server?.stop());
  beforeEach(() => {
    // Each case starts in fresh throttle windows.
    clock.advance(120_000);
    server.resetAdminToken();
  });

  it('60 concurrent wrong passwords for one email: 5 reach argon2 and are answered 401, the other 55 are 429 (problem details, Retry-After)', async () => {
    const email = await newPerson();
    const address = freshAddress();
    const started = clock.now();
    const argon2 = VerificationGate.passwords([server]);
    const answers = await argon2.overlap(60, () => signIn(server, email, WRONG_PASSWORD, address));
    expect(tally(answers)).toEqual({ 401: 5, 429: 55 });
    expect(argon2.reached).toBe(5);
    for (const answer of answers.filter(({ status }) => status === 429)) expectSignInThrottled(answer);
    const failures = await auditSince('action=session.login&outcome=failure', started);
    expect(failures.filter((event: any) => event.details.email === email)).toHaveLength(5);
  });

  it('40 concurrent wrong client secrets from one address: 10 are answered 401 (audited), the other 30 are 429 in RFC 6749 form', async () => {
    const victim = await newClient();
    const address = freshAddress();
    const started = clock.now();
    const lookups = VerificationGate.secretLookups([server]);
    const answers = await lookups.overlap(40, (attempt) =>
      withSecret(server, { id: victim.id, secret: `wrong-secret-${attempt}` }, address),
    );
    expect(tally(answers)).toEqual({ 401: 10, 429: 30 });
    for (const answer of answers.filter(({ status }) => status === 429)) expectClientThrottled(answer);
    // Refusals are audited in the background (after the 401 is on its way).
    await eventually(async () =>
      expect(await auditSince(`action=client.auth.failed&credential=${victim.id}`, started)).toHaveLength(10),
    );
  });

  it('counts concurrent wrong secrets at the token, introspection and revocation endpoints together', async () => {
    const victim = await newClient();
    const address = freshAddress();
    const paths = ['/oauth/token', '/oauth/introspect', '/oauth/revoke'];
    const lookups = VerificationGate.secretLookups([server]);
    const answers = await lookups.overlap(30, (attempt) =>
      withSecret(server, { id: victim.id, secret: `wrong-secret-${attempt}` }, address, paths[attempt % 3]),
    );
    expect(tally(answers)).toEqual({ 401: 10, 429: 20 });
  });

  it('40 concurrent forged private_key_jwt assertions from one address: 10 reach the assertion verifier, the other 30 are 429', async () => {
    const clientId = await newJwtClient();
    const address = freshAddress();
    const forged = await Promise.all(Array.from({ length: 40 }, () => assertion(clientId, forgedKey)));
    const verifier = VerificationGate.assertions([server]);
    const answers = await verifier.overlap(40, (attempt) => withAssertion(server, clientId, forged[attempt], address));
    expect(tally(answers)).toEqual({ 401: 10, 429: 30 });
    expect(verifier.reached).toBe(10);
    for (const answer of answers.filter(({ status }) => status === 429)) expectClientThrottled(answer);
  });

  it('11 addresses × 10 wrong secrets for one client id: its right secret still gets a token from any address, an attacking one included', async () => {
    const victim = await newClient();
    const attackers = Array.from({ length: 11 }, freshAddress);
    for (const address of attackers) {
      await Promise.all(
        Array.from({ length: 10 }, (_, attempt) =>
          withSecret(server, { id: victim.id, secret: `wrong-secret-${attempt}` }, address),
        ),
      );
    }
    // Failures are still throttled: the client id is past its ceiling of 100 a minute.
    expectClientThrottled(await withSecret(server, { id: victim.id, secret: 'wrong-secret' }, freshAddress()));
    for (const address of [freshAddress(), attackers[0], attackers[10]]) {
      expect((await withSecret(server, victim, address)).status).toBe(200);
      expect((await withSecret(server, victim, address, '/oauth/introspect')).status).toBe(200);
    }
  });

  it('wrong secrets sent from behind the client’s own address (a shared NAT) do not lock it out', async () => {
    const victim = await newClient();
    const shared = freshAddress();
    expect((await withSecret(server, victim, shared)).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, attempt) =>
        withSecret(server, { id: `guess-${attempt % 6}`, secret: 'tgs_guess' }, shared),
      ),
    );
    answers.push(
      ...(await Promise.all(
        Array.from({ length: 20 }, () => withSecret(server, { id: victim.id, secret: 'wrong-secret' }, shared)),
      )),
    );
    // 50 failures a minute per address, then 429, for the victim's id as for any other.
    expect(tally(answers)).toEqual({ 401: 50, 429: 30 });
    expect((await withSecret(server, victim, shared)).status).toBe(200);
  });

  it('forged assertions from 11 addresses do not lock a private_key_jwt client out from an address it authenticated from; a new address waits', async () => {
    const clientId = await newJwtClient();
    const home = freshAddress();
    expect((await withAssertion(server, clientId, await assertion(clientId), home)).status).toBe(200);
    for (let round = 0; round < 11; round += 1) {
      const address = freshAddress();
      const forged = await Promise.all(Array.from({ length: 10 }, () => assertion(clientId, forgedKey)));
      await Promise.all(forged.map((jwt) => withAssertion(server, clientId, jwt, address)));
    }
    expect((await withAssertion(server, clientId, await assertion(clientId), home)).status).toBe(200);
    expectClientThrottled(await withAssertion(server, clientId, await assertion(clientId), freshAddress()));
  });

  it('wrong passwords from three addresses do not lock the owner out from an address they signed in from; a new address waits', async () => {
    const email = await newPerson();
    const home = freshAddress();
    expect((await signIn(server, email, TEST_PASSWORD, home)).status).toBe(200);
    for (let round = 0; round < 3; round += 1) {
      const address = freshAddress();
      await Promise.all(Array.from({ length: 5 }, () => signIn(server, email, WRONG_PASSWORD, address)));
    }
    expect((await signIn(server, email, TEST_PASSWORD, home)).status).toBe(200);
    expectSignInThrottled(await signIn(server, email, TEST_PASSWORD, freshAddress()));
  });
});

const sharedRedis = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

/** Two auth-servers of one deployment (one issuer, one PostgreSQL database, one Redis), as in the scaled shape. */
describe.runIf(sharedRedis)('guessing across two auth-servers sharing Redis', () => {
  let database: TestDatabase;
  let servers: AuthServerHarness[] = [];
  let jwtKey: ClientKey;
  let forgedKey: ClientKey;
  const at = (index: number) => servers[index % 2];
  const newClient = (body: Record<string, unknown> = {}) =>
    servers[0].createClient({ name: 'victim', grants: [{ resource: CRM, scopes: ['contacts:read'] }], ...body });
  const newPerson = async () => (await servers[0].createUser({ email: `${randomUUID()}@example.com` })).email as string;

  beforeAll(async () => {
    database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    const env = { TRUST_PROXY: 'true', REDIS_URL: process.env.TEST_REDIS_URL! };
    // One after the other: the first creates the schema and the signing key, the second finds them.
    servers.push(await AuthServerHarness.start({ database, env, keepDatabase: true }));
    servers.push(
      await AuthServerHarness.start({ database, env: { ...env, AUTH_ISSUER: servers[0].issuer }, keepDatabase: true }),
    );
    await servers[0].createResource(CRM, ['contacts:read'], { accessTokenTtl: 600 });
    [jwtKey, forgedKey] = await Promise.all([generateClientKey(), generateClientKey()]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop();
    servers = [];
  });

  it('60 concurrent wrong passwords for one email, half at each instance: 5 reach argon2 in all, the rest are 429', async () => {
    const email = await newPerson();
    const address = freshAddress();
    const argon2 = VerificationGate.passwords(servers);
    const answers = await argon2.overlap(60, (attempt) => signIn(at(attempt), email, WRONG_PASSWORD, address));
    expect(tally(answers)).toEqual({ 401: 5, 429: 55 });
    expect(argon2.reached).toBe(5);
  });

  it('40 concurrent wrong client secrets from one address, half at each instance: 10 are answered 401, the rest 429', async () => {
    const victim = await newClient();
    const address = freshAddress();
    const lookups = VerificationGate.secretLookups(servers);
    const answers = await lookups.overlap(40, (attempt) =>
      withSecret(at(attempt), { id: victim.id, secret: `wrong-secret-${attempt}` }, address),
    );
    expect(tally(answers)).toEqual({ 401: 10, 429: 30 });
  });

  it('40 concurrent forged assertions, half at each instance: 10 reach an assertion verifier in all', async () => {
    const { id } = await newClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwtKey.publicJwk] } });
    const address = freshAddress();
    const forged = await Promise.all(
      Array.from({ length: 40 }, () => clientAssertion(forgedKey, id, servers[0].issuer)),
    );
    const verifier = VerificationGate.assertions(servers);
    const answers = await verifier.overlap(40, (attempt) => withAssertion(at(attempt), id, forged[attempt], address));
    expect(tally(answers)).toEqual({ 401: 10, 429: 30 });
    expect(verifier.reached).toBe(10);
  });

  it('11 addresses × 10 wrong secrets for one client id at both instances: its right secret still gets tokens at both', async () => {
    const victim = await newClient();
    const attackers = Array.from({ length: 11 }, freshAddress);
    for (const address of attackers) {
      await Promise.all(
        Array.from({ length: 10 }, (_, attempt) =>
          withSecret(at(attempt), { id: victim.id, secret: `wrong-secret-${attempt}` }, address),
        ),
      );
    }
    for (const server of servers) {
      expectClientThrottled(await withSecret(server, { id: victim.id, secret: 'wrong-secret' }, freshAddress()));
      for (const address of [freshAddress(), attackers[0]])
        expect((await withSecret(server, victim, address)).status).toBe(200);
    }
  });

  it('wrong passwords at both instances do not lock the owner out from an address they signed in from at the other one', async () => {
    const email = await newPerson();
    const home = freshAddress();
    expect((await signIn(servers[0], email, TEST_PASSWORD, home)).status).toBe(200);
    for (let round = 0; round < 3; round += 1) {
      const address = freshAddress();
      await Promise.all(Array.from({ length: 5 }, (_, attempt) => signIn(at(attempt), email, WRONG_PASSWORD, address)));
    }
    expect((await signIn(servers[1], email, TEST_PASSWORD, home)).status).toBe(200);
    for (const server of servers) expectSignInThrottled(await signIn(server, email, TEST_PASSWORD, freshAddress()));
  });
});
