import { ManualClock } from '@tollgate/platform';
import { AuthServerHarness, TEST_PASSWORD } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const MINUTE_MS = 60_000;

describe.each(testDatabases())('console sessions on $name', ({ create }) => {
  let server: AuthServerHarness;
  let clock: ManualClock;
  let dana: any;

  /** Moves past every throttle window and the admin token’s lifetime. */
  function nextMinute(): void {
    clock.advance(MINUTE_MS);
  }

  beforeAll(async () => {
    clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
    server = await AuthServerHarness.start({ database: await create(), clock });
    dana = await server.createUser({ email: 'dana@example.com', roles: ['admin'] });
    await server.createUser({ email: 'plain@example.com' });
  });
  afterAll(() => server.stop());
  beforeEach(() => server.resetAdminToken());

  it('signs in with a hardened session cookie and returns the CSRF token', async () => {
    const response = await server.signIn('  Dana@Example.COM ', TEST_PASSWORD);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^tollgate_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(response.body).toEqual({
      user: expect.objectContaining({ id: dana.id, email: 'dana@example.com', roles: ['admin'] }),
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(clock.now().getTime() + 43_200_000).toISOString(),
      idleTimeoutSeconds: 1800,
      authenticatedAt: clock.now().toISOString(),
      secondFactorSetupRequired: false,
    });

    const session = await server.login('dana@example.com');
    const current = await session.request('GET', '/api/session');
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ user: { id: dana.id }, csrfToken: session.csrfToken });
  });

  it('requires X-CSRF-Token for state-changing requests made with the cookie', async () => {
    const session = await server.login('dana@example.com');
    const body = { name: 'csrf-test', grants: [] };

    for (const csrf of [false, 'forged-token']) {
      const refused = await session.request('POST', '/api/roles', body, { csrf });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        type: 'urn:tollgate:problem:csrf_token_invalid',
        detail: expect.stringContaining('X-CSRF-Token'),
      });
    }
    // Another session's token does not fit this one.
    const other = await server.login('dana@example.com');
    expect((await session.request('POST', '/api/roles', body, { csrf: other.csrfToken })).status).toBe(403);
    expect((await server.api('GET', '/api/roles')).body.map((r: any) => r.name)).not.toContain('csrf-test');

    expect((await session.request('POST', '/api/roles', body)).status).toBe(201);
    // Reading needs no CSRF token.
    expect((await session.request('GET', '/api/roles', undefined, { csrf: false })).status).toBe(200);
    const role = (await server.api('GET', '/api/roles')).body.find((r: any) => r.name === 'csrf-test');
    expect((await session.request('DELETE', `/api/roles/${role.id}`, undefined, { csrf: false })).status).toBe(403);
    expect((await session.request('DELETE', `/api/roles/${role.id}`)).status).toBe(204);
  });

  it('gives an admin’s session the admin scope and a normal user’s none', async () => {
    const admin = await server.login('dana@example.com');
    expect((await admin.request('GET', '/api/clients')).status).toBe(200);
    const plain = await server.login('plain@example.com');
    const refused = await plain.request('GET', '/api/clients');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'insufficient_scope' });
  });

  it('ends the session on logout (with the CSRF token) and clears the cookie', async () => {
    const session = await server.login('dana@example.com');
    expect((await session.request('DELETE', '/api/session', undefined, { csrf: false })).status).toBe(403);

    const logout = await session.request('DELETE', '/api/session');
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(
      /^tollgate_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/,
    );
    const after = await session.request('GET', '/api/session');
    expect(after.status).toBe(401);
    expect((await session.request('GET', '/api/me/tokens')).status).toBe(401);

    const audit = await server.api('GET', `/api/audit?action=session.logout&actor=${dana.id}`);
    expect(audit.body.items[0]).toMatchObject({ outcome: 'success', address: '127.0.0.1' });
  });

  it('answers an unknown email and a wrong password identically, and audits both', async () => {
    nextMinute();
    const unknown = await server.signIn('nobody@example.com', TEST_PASSWORD);
    const wrong = await server.signIn('dana@example.com', 'not the right password');
    const serviceAccount = await server.createUser({ email: 'bot@example.com', kind: 'service_account' });
    const bot = await server.signIn('bot@example.com', TEST_PASSWORD);

    for (const response of [unknown, wrong, bot]) {
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(response.body).toEqual({
        type: 'urn:tollgate:problem:invalid_credentials',
        title: 'Unauthorized',
        status: 401,
        detail: 'The email or password is incorrect',
      });
    }
    const audit = await server.api('GET', '/api/audit?action=session.login&outcome=failure');
    expect(
      audit.body.items.slice(0, 3).map((e: any) => [e.reason, e.details.email, e.address, e.credential?.id ?? null]),
    ).toEqual([
      ['service account', 'bot@example.com', '127.0.0.1', serviceAccount.id],
      ['wrong password', 'dana@example.com', '127.0.0.1', dana.id],
      ['unknown email', 'nobody@example.com', '127.0.0.1', null],
    ]);
    const success = await server.api('GET', `/api/audit?action=session.login&outcome=success&actor=${dana.id}`);
    expect(success.body.items[0]).toMatchObject({
      credential: { type: 'session', id: expect.any(String) },
      address: '127.0.0.1',
      details: { email: 'dana@example.com' },
    });
  });

  it('throttles failed sign-ins per email before checking the password (429 with Retry-After)', async () => {
    nextMinute();
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await server.signIn('plain@example.com', 'wrong password!')).status).toBe(401);

    const blocked = await server.signIn('plain@example.com', TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('60');
    expect(blocked.body).toMatchObject({ type: 'urn:tollgate:problem:too_many_attempts' });
    // Another email from the same address is not blocked yet.
    expect((await server.signIn('dana@example.com', TEST_PASSWORD)).status).toBe(200);

    clock.advance(30_000);
    expect((await server.signIn('plain@example.com', TEST_PASSWORD)).headers.get('retry-after')).toBe('30');
    clock.advance(30_000);
    expect((await server.signIn('plain@example.com', TEST_PASSWORD)).status).toBe(200);
  });

  it('throttles failed sign-ins per address across emails', async () => {
    nextMinute();
    for (let attempt = 0; attempt < 20; attempt++)
      expect((await server.signIn(`spray-${attempt}@example.com`, 'wrong password!')).status).toBe(401);
    const blocked = await server.signIn('dana@example.com', TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    nextMinute();
    expect((await server.signIn('dana@example.com', TEST_PASSWORD)).status).toBe(200);
  });

  it('accepts only JSON sign-in bodies (no login CSRF from HTML forms)', async () => {
    const form = await fetch(`${server.issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'dana@example.com', password: TEST_PASSWORD }).toString(),
    });
    expect(form.status).toBe(415);
    expect(form.headers.getSetCookie()).toEqual([]);
    const text = await fetch(`${server.issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ email: 'dana@example.com', password: TEST_PASSWORD }),
    });
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.headers.getSetCookie()).toEqual([]);
  });

  it('ends idle sessions, and every session at its absolute expiry', async () => {
    const idle = await server.login('dana@example.com');
    clock.advance(1800 * 1000);
    expect((await idle.request('GET', '/api/session')).status).toBe(401);

    // A request every 29 minutes keeps it alive, until 12 hours after sign-in.
    const active = await server.login('dana@example.com');
    for (let step = 1; step <= 24; step++) {
      clock.advance(29 * MINUTE_MS);
      expect((await active.request('GET', '/api/session')).status).toBe(200);
    }
    clock.advance(29 * MINUTE_MS);
    expect((await active.request('GET', '/api/session')).status).toBe(401);
  });

  it('ends sessions when the user is disabled or their password is changed', async () => {
    const user = await server.createUser({ email: 'moving@example.com' });
    const first = await server.login('moving@example.com');
    await server.api('PATCH', `/api/users/${user.id}`, { disabled: true });
    expect((await first.request('GET', '/api/session')).status).toBe(401);
    expect((await server.signIn('moving@example.com', TEST_PASSWORD)).status).toBe(401);
    await server.api('PATCH', `/api/users/${user.id}`, { disabled: false });

    const second = await server.login('moving@example.com');
    clock.advance(1000);
    await server.api('PATCH', `/api/users/${user.id}`, { password: 'a brand new long password' });
    expect((await second.request('GET', '/api/session')).status).toBe(401);
    expect((await server.signIn('moving@example.com', TEST_PASSWORD)).status).toBe(401);
    expect((await server.login('moving@example.com', 'a brand new long password')).user.id).toBe(user.id);
  });

  it('replaces a session the browser already had when signing in again', async () => {
    const planted = await server.login('plain@example.com');
    const response = await fetch(`${server.issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: planted.cookie },
      body: JSON.stringify({ email: 'dana@example.com', password: TEST_PASSWORD }),
    });
    expect(response.status).toBe(200);
    expect((await planted.request('GET', '/api/session')).status).toBe(401);
  });

  it('answers /api/session only for the session cookie', async () => {
    expect((await server.api('GET', '/api/session', undefined, null)).status).toBe(401);
    const bearer = await server.api('GET', '/api/session');
    expect(bearer.status).toBe(403);
    expect(bearer.body).toMatchObject({ type: 'urn:tollgate:problem:session_required' });
  });

  it('never offers a password grant at the token endpoint', async () => {
    const response = await server.tokenRequest(
      { grant_type: 'password', username: 'dana@example.com', password: TEST_PASSWORD },
      { id: 'test-admin', secret: 'test-admin-secret-0123456789abcdefghijklmnop' },
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
