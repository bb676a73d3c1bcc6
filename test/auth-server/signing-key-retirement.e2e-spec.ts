import { ManualClock } from '@tollgate/platform';
import { decodeProtectedHeader } from 'jose';
import { JWKS_MAX_AGE_SECONDS } from '../../apps/auth-server/src/signing-keys/signing-keys.service.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  type JsonResponse,
} from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';
import { expectInvalidToken } from '../support/problem-answers.js';

const CRM = 'https://crm.tollgate.test';

type KeyStates = Record<string, string>;

/**
 * A compromised signing key stops being trusted at once (issue 11): an immediate rotation and
 * POST /api/signing-keys/{kid}/retire take it out of the JWKS, refuse its tokens at the management
 * API and at introspection, announce `signing_key.retired` on the revocation feed, and are audited.
 */
describe.each(testDatabases())('retiring signing keys on $name', ({ create }) => {
  const clock = new ManualClock(Date.now());
  let server: AuthServerHarness;
  let crmClient: { id: string; secret: string };
  let feedReader: { id: string; secret: string };

  const admin = { id: ADMIN_CLIENT_ID, secret: ADMIN_CLIENT_SECRET };
  const freshAdminToken = () => server.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);

  async function states(): Promise<KeyStates> {
    const listed = await server.api('GET', '/api/signing-keys');
    expect(listed.status).toBe(200);
    return Object.fromEntries(listed.body.map((key: { kid: string; state: string }) => [key.kid, key.state]));
  }

  const kidIn = (keys: KeyStates, state: string) => Object.keys(keys).find((kid) => keys[kid] === state)!;

  async function publishedKids(): Promise<string[]> {
    return (await server.request('GET', '/.well-known/jwks.json')).body.keys
      .map((key: { kid: string }) => key.kid)
      .sort();
  }

  async function retiredOnFeed(): Promise<string[]> {
    const token = await server.token(feedReader.id, feedReader.secret, { resource: server.managementApi });
    const feed = await server.api('GET', '/api/revocations', undefined, token);
    expect(feed.status).toBe(200);
    return feed.body.items
      .filter((event: { type: string }) => event.type === 'signing_key.retired')
      .map((event: { kid: string }) => event.kid);
  }

  /** The management API's answer to a token signed by a key it no longer holds. */
  function expectUnknownKey(response: JsonResponse): void {
    expectInvalidToken(response, 'The access token is signed with an unknown key', server.issuer);
  }

  function expectProblem(response: JsonResponse, status: number, type: string): void {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type, status, detail: expect.any(String) });
  }

  /** The states after a retirement: exactly one current and one next key, and the JWKS lists exactly the keys not retired. */
  async function expectConsistent(): Promise<KeyStates> {
    const after = await states();
    expect(Object.values(after).filter((state) => state === 'current')).toHaveLength(1);
    expect(Object.values(after).filter((state) => state === 'next')).toHaveLength(1);
    expect(await publishedKids()).toEqual(
      Object.keys(after)
        .filter((kid) => after[kid] !== 'retired')
        .sort(),
    );
    return after;
  }

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create(), clock });
    await server.createResource(CRM, ['contacts:read']);
    crmClient = await server.createClient({
      name: 'crm reader',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    feedReader = await server.createClient({
      name: 'feed reader',
      grants: [{ resource: server.managementApi, scopes: ['revocations:read'] }],
    });
  });
  afterAll(() => server.stop());

  it('an immediate rotation retires the current key: gone from the JWKS, its tokens refused, announced on the feed, audited', async () => {
    const before = await states();
    const compromised = kidIn(before, 'current');
    const next = kidIn(before, 'next');
    const oldAdminToken = await freshAdminToken();
    const oldCrmToken = await server.token(crmClient.id, crmClient.secret);
    expect(decodeProtectedHeader(oldAdminToken).kid).toBe(compromised);
    expect((await server.api('GET', '/api/clients', undefined, oldAdminToken)).status).toBe(200);

    const rotated = await server.api('POST', '/api/signing-keys/rotate', { immediately: true }, oldAdminToken);
    expect({ status: rotated.status, body: rotated.body }).toEqual({
      status: 200,
      body: { current: next, retired: compromised, next: expect.any(String) },
    });

    expect(await publishedKids()).toEqual([next, rotated.body.next].sort());
    expectUnknownKey(await server.api('GET', '/api/clients', undefined, oldAdminToken));
    expect((await server.introspect(oldCrmToken, crmClient)).body).toEqual({ active: false });
    expect(await retiredOnFeed()).toEqual([compromised]);
    const listed = (await server.api('GET', '/api/signing-keys')).body.find(
      (key: { kid: string }) => key.kid === compromised,
    );
    expect(listed).toMatchObject({
      state: 'retired',
      deactivatedAt: clock.now().toISOString(),
      retiredAt: clock.now().toISOString(),
    });

    const newAdminToken = await freshAdminToken();
    expect(decodeProtectedHeader(newAdminToken).kid).toBe(next);
    expect((await server.api('GET', '/api/clients', undefined, newAdminToken)).status).toBe(200);
    const audit = await server.api('GET', '/api/audit?action=signing-key.rotated');
    expect(audit.body.items[0]).toMatchObject({
      action: 'signing-key.rotated',
      actor: { type: 'client', id: ADMIN_CLIENT_ID },
      details: { current: next, retired: compromised, next: rotated.body.next, immediately: true },
    });
  });

  it('POST /api/signing-keys/{kid}/retire on a previous key retires only it: its tokens are refused, the others keep working', async () => {
    const signedBefore = await freshAdminToken();
    // A scheduled rotation, once the next key has been published as long as verifiers cache the key set.
    clock.advance(JWKS_MAX_AGE_SECONDS * 1000);
    const rotated = await server.api('POST', '/api/signing-keys/rotate');
    expect(rotated.status).toBe(200);
    const previous = rotated.body.previous;
    expect(decodeProtectedHeader(signedBefore).kid).toBe(previous);
    expect((await server.api('GET', '/api/clients', undefined, signedBefore)).status).toBe(200);

    const retired = await server.api('POST', `/api/signing-keys/${previous}/retire`);
    expect({ status: retired.status, body: retired.body }).toEqual({
      status: 200,
      body: { retired: previous, stateBefore: 'previous', current: rotated.body.current, next: rotated.body.next },
    });
    expect(await publishedKids()).toEqual([rotated.body.current, rotated.body.next].sort());
    expectUnknownKey(await server.api('GET', '/api/clients', undefined, signedBefore));
    expect(await retiredOnFeed()).toContain(previous);
    expect((await server.api('GET', '/api/clients', undefined, await freshAdminToken())).status).toBe(200);

    const audit = await server.api('GET', `/api/audit?action=signing-key.retired`);
    expect(audit.body.items[0]).toMatchObject({
      action: 'signing-key.retired',
      outcome: 'success',
      actor: { type: 'client', id: ADMIN_CLIENT_ID },
      credential: { type: 'signing_key', id: previous },
      details: { retired: previous, stateBefore: 'previous', current: rotated.body.current, next: rotated.body.next },
    });
  });

  it('retiring the next key replaces it with a new next key, so a rotation still has one to promote', async () => {
    const before = await states();
    const next = kidIn(before, 'next');
    const retired = await server.api('POST', `/api/signing-keys/${next}/retire`);
    expect({ status: retired.status, body: retired.body }).toEqual({
      status: 200,
      body: { retired: next, stateBefore: 'next', current: kidIn(before, 'current'), next: expect.any(String) },
    });
    expect(retired.body.next).not.toBe(next);
    const after = await expectConsistent();
    expect(after[next]).toBe('retired');
    expect(await retiredOnFeed()).toContain(next);
  });

  it('retiring the current key promotes the next key at once and creates a new next key', async () => {
    const before = await states();
    const current = kidIn(before, 'current');
    const oldToken = await freshAdminToken();
    const retired = await server.api('POST', `/api/signing-keys/${current}/retire`, undefined, oldToken);
    expect({ status: retired.status, body: retired.body }).toEqual({
      status: 200,
      body: { retired: current, stateBefore: 'current', current: kidIn(before, 'next'), next: expect.any(String) },
    });
    await expectConsistent();
    expectUnknownKey(await server.api('GET', '/api/clients', undefined, oldToken));
    expect(decodeProtectedHeader(await freshAdminToken()).kid).toBe(retired.body.current);
    expect(decodeProtectedHeader(await server.token(crmClient.id, crmClient.secret)).kid).toBe(retired.body.current);
  });

  it('answers 404 for an unknown kid and 409 for a retired one (problem details), changing nothing', async () => {
    const before = await states();
    const retired = kidIn(before, 'retired');
    expectProblem(
      await server.api('POST', `/api/signing-keys/${'A'.repeat(43)}/retire`),
      404,
      'urn:tollgate:problem:signing_key_not_found',
    );
    expectProblem(
      await server.api('POST', `/api/signing-keys/${retired}/retire`),
      409,
      'urn:tollgate:problem:signing_key_retired',
    );
    expect(await states()).toEqual(before);
  });

  it('answers 400 for a malformed kid, 401 without a credential and 403 without the admin scope, changing nothing', async () => {
    const before = await states();
    const current = kidIn(before, 'current');
    for (const kid of ['k'.repeat(65), 'a%20b', 'a.b', '%2E%2E%2Fjwks', "'%20OR%201=1--"]) {
      const response = await server.api('POST', `/api/signing-keys/${kid}/retire`);
      expectProblem(response, 400, 'about:blank');
      expect(response.body.detail).toContain('kid must be a signing key id');
    }
    const anonymous = await server.api('POST', `/api/signing-keys/${current}/retire`, undefined, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer realm="tollgate", resource_metadata="${server.issuer}/.well-known/oauth-protected-resource/api"`,
    );
    const reader = await server.api(
      'POST',
      `/api/signing-keys/${current}/retire`,
      undefined,
      await server.token(feedReader.id, feedReader.secret, { resource: server.managementApi }),
    );
    expect(reader.status).toBe(403);
    expect(reader.body).toMatchObject({ error: 'insufficient_scope', scope: 'admin' });
    expect(await states()).toEqual(before);
  });

  it('retires the current key once when asked twice at the same time, and never leaves the keys without a current and a next', async () => {
    const current = kidIn(await states(), 'current');
    const twice = await Promise.all([1, 2].map(() => server.api('POST', `/api/signing-keys/${current}/retire`)));
    expect(twice.map((response) => response.status).sort()).toEqual([200, 409]);
    expect((await expectConsistent())[current]).toBe('retired');

    const { next } = twice.find((response) => response.status === 200)!.body;
    const raced = await Promise.all([
      server.api('POST', `/api/signing-keys/${next}/retire`),
      server.api('POST', '/api/signing-keys/rotate', { immediately: true }),
    ]);
    expect(raced.every((response) => response.status === 200 || response.status === 409)).toBe(true);
    expect(raced.some((response) => response.status === 200)).toBe(true);
    await expectConsistent();
    expect((await server.api('GET', '/api/clients', undefined, await freshAdminToken())).status).toBe(200);
    expect((await server.introspect(await server.token(crmClient.id, crmClient.secret), crmClient)).body).toMatchObject(
      { active: true },
    );
    expect((await server.introspect(await freshAdminToken(), admin)).body).toMatchObject({ active: true });
  });
});
