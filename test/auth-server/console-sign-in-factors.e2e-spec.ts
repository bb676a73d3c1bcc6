import { ManualClock } from '@tollgate/platform';
import { Secret, TOTP } from 'otpauth';
import {
  AuthServerHarness,
  ConsoleSession,
  type JsonResponse,
  TEST_PASSWORD,
  toJson,
} from '../support/auth-server.harness.js';
import { freePort } from '../support/free-port.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { testDatabases } from '../support/test-databases.js';

const MINUTE_MS = 60_000;

/** Console sign-in factors (issue 14): TOTP, recovery codes, passkeys, re-authentication, the admin policy. */
describe.each(testDatabases())('console sign-in factors on $name', ({ create }) => {
  let server: AuthServerHarness;
  let clock: ManualClock;

  /** A browser: the cookies it was given, sent back on every request. */
  class Browser {
    readonly cookies = new Map<string, string>();

    async send(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<JsonResponse> {
      const response = await fetch(server.issuer + path, {
        method,
        headers: {
          ...(this.cookies.size > 0 && {
            cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
          }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair, ...attributes] = cookie.split(';');
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
        if (value === '' || attributes.some((attribute) => /max-age=0/i.test(attribute.trim())))
          this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      return toJson(response);
    }

    /** The session as ConsoleSession helpers use it, after a sign-in answered `started`. */
    session(started: JsonResponse): ConsoleSession {
      expect(started.status).toBe(200);
      return new ConsoleSession(
        server.issuer,
        `tollgate_session=${this.cookies.get('tollgate_session')}`,
        started.body.csrfToken,
        started.body.user,
      );
    }
  }

  const signInWithPassword = (browser: Browser, email: string, password = TEST_PASSWORD) =>
    browser.send('POST', '/api/session', { email, password });

  const codeAt = (secret: string, at = clock.now()) =>
    new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
      timestamp: at.getTime(),
    });

  /** Signs in with the password alone (a person without a second factor). */
  async function signIn(email: string): Promise<ConsoleSession> {
    const browser = new Browser();
    return browser.session(await signInWithPassword(browser, email));
  }

  /** Sets up TOTP for a signed-in person; the secret and the recovery codes it came with. */
  async function enableTotp(session: ConsoleSession): Promise<{ secret: string; recoveryCodes: string[] }> {
    const setup = await session.request('POST', '/api/me/totp');
    expect(setup.status).toBe(200);
    const confirmed = await session.request('POST', '/api/me/totp/confirm', { code: codeAt(setup.body.secret) });
    expect(confirmed.status).toBe(200);
    return { secret: setup.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
  }

  async function audit(action: string): Promise<any[]> {
    return (await server.api('GET', `/api/audit?action=${action}`)).body.items;
  }

  beforeAll(async () => {
    clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
    const port = await freePort();
    // WebAuthn wants a domain as relying party id: the issuer is localhost, not 127.0.0.1.
    server = await AuthServerHarness.start({
      database: await create(),
      clock,
      port,
      env: { AUTH_ISSUER: `http://localhost:${port}` },
    });
  });
  afterAll(() => server?.stop());
  beforeEach(() => {
    // Past every throttle window and the admin token's lifetime.
    clock.advance(20 * MINUTE_MS);
    server.resetAdminToken();
  });

  describe('an authenticator app (TOTP, RFC 6238)', () => {
    let secret: string;
    let recoveryCodes: string[];

    beforeAll(async () => {
      await server.createUser({ email: 'tess@example.com' });
    });

    it('is set up with a secret and key URI, turned on by a first code, and comes with ten recovery codes', async () => {
      const session = await signIn('tess@example.com');
      expect((await session.request('GET', '/api/me/totp')).body).toEqual({ enabled: false, enabledAt: null });
      const setup = await session.request('POST', '/api/me/totp');
      expect(setup.status).toBe(200);
      expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(setup.body.uri).toBe(
        `otpauth://totp/Tollgate:tess%40example.com?issuer=Tollgate&secret=${setup.body.secret}&algorithm=SHA1&digits=6&period=30`,
      );
      // Not on yet: the password alone still signs in.
      expect((await signInWithPassword(new Browser(), 'tess@example.com')).status).toBe(200);

      const wrong = await session.request('POST', '/api/me/totp/confirm', {
        code: codeAt(setup.body.secret, new Date(0)),
      });
      expect(wrong).toMatchObject({ status: 400, body: { type: 'urn:tollgate:problem:totp_code_invalid' } });
      const malformed = await session.request('POST', '/api/me/totp/confirm', { code: '12345' });
      expect(malformed).toMatchObject({ status: 400, body: { title: 'Bad Request' } });

      const confirmed = await session.request('POST', '/api/me/totp/confirm', { code: codeAt(setup.body.secret) });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({
        enabled: true,
        enabledAt: clock.now().toISOString(),
        recoveryCodes: expect.arrayContaining([
          expect.stringMatching(/^([0-9a-hjkmnp-tv-z]{4}-){3}[0-9a-hjkmnp-tv-z]{4}$/),
        ]),
      });
      expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
      secret = setup.body.secret;
      recoveryCodes = confirmed.body.recoveryCodes;
      expect((await session.request('GET', '/api/me/recovery-codes')).body).toEqual({
        remaining: 10,
        total: 10,
        generatedAt: clock.now().toISOString(),
      });
      // A second set-up while one is on: refused.
      expect((await session.request('POST', '/api/me/totp')).status).toBe(409);
      const [enabled] = await audit('user.totp.enabled');
      expect(enabled).toMatchObject({ outcome: 'success', actor: { type: 'user', id: session.user.id } });
    });

    it('makes the password the first of two steps; the pending step grants no access at all', async () => {
      const browser = new Browser();
      const first = await signInWithPassword(browser, 'tess@example.com');
      expect(first.status).toBe(202);
      expect(first.body).toEqual({
        secondFactorRequired: true,
        methods: ['totp', 'recovery_code'],
        expiresAt: new Date(clock.now().getTime() + 5 * MINUTE_MS).toISOString(),
      });
      const cookies = first.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatch(
        /^tollgate_sign_in=[A-Za-z0-9_-]{43}; Max-Age=300; Path=\/; HttpOnly; SameSite=Strict$/,
      );
      expect(browser.cookies.has('tollgate_session')).toBe(false);

      // The pending cookie is no session: nothing answers to it, even sent under the session's name.
      const pending = browser.cookies.get('tollgate_sign_in')!;
      for (const path of ['/api/me', '/api/session', '/api/me/tokens', '/api/me/totp']) {
        expect((await browser.send('GET', path)).status, path).toBe(401);
        const disguised = await fetch(server.issuer + path, { headers: { cookie: `tollgate_session=${pending}` } });
        expect(disguised.status, path).toBe(401);
      }

      clock.advance(30_000);
      const done = await browser.send('POST', '/api/session/second-factor', { code: codeAt(secret) });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ user: { email: 'tess@example.com' }, secondFactorSetupRequired: false });
      expect(done.headers.getSetCookie()).toEqual([
        expect.stringMatching(/^tollgate_session=/),
        expect.stringMatching(/^tollgate_sign_in=; Max-Age=0;/),
      ]);
      expect((await browser.send('GET', '/api/me')).status).toBe(200);
      const [login] = await audit('session.login');
      expect(login).toMatchObject({ outcome: 'success', details: { methods: ['password', 'totp'] } });
    });

    it('refuses a code used once already (replay), even within its 30 seconds', async () => {
      clock.advance(30_000);
      const code = codeAt(secret);
      const first = new Browser();
      await signInWithPassword(first, 'tess@example.com');
      expect((await first.send('POST', '/api/session/second-factor', { code })).status).toBe(200);

      const second = new Browser();
      await signInWithPassword(second, 'tess@example.com');
      const replayed = await second.send('POST', '/api/session/second-factor', { code });
      expect(replayed).toMatchObject({
        status: 401,
        body: { type: 'urn:tollgate:problem:second_factor_invalid', attempts_left: 4 },
      });
      // The code of the step before is older than the one used: refused too.
      expect(
        (
          await second.send('POST', '/api/session/second-factor', {
            code: codeAt(secret, new Date(clock.now().getTime() - 30_000)),
          })
        ).status,
      ).toBe(401);
      const [failed] = await audit('session.second-factor.failed');
      expect(failed).toMatchObject({ outcome: 'failure', reason: 'code used already', details: { method: 'totp' } });
    });

    it('ends the pending sign-in after five wrong answers, and audits each', async () => {
      const browser = new Browser();
      await signInWithPassword(browser, 'tess@example.com');
      const answers: JsonResponse[] = [];
      for (let i = 0; i < 5; i++)
        answers.push(await browser.send('POST', '/api/session/second-factor', { code: '000000' }));
      expect(answers.map((answer) => answer.body.attempts_left)).toEqual([4, 3, 2, 1, 0]);
      expect(answers[4].body.type).toBe('urn:tollgate:problem:sign_in_expired');
      clock.advance(30_000);
      const late = await browser.send('POST', '/api/session/second-factor', { code: codeAt(secret) });
      expect(late).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:sign_in_expired' } });
      expect((await audit('session.second-factor.failed')).length).toBeGreaterThanOrEqual(5);
    });

    it('expires the pending sign-in after five minutes', async () => {
      const browser = new Browser();
      await signInWithPassword(browser, 'tess@example.com');
      clock.advance(5 * MINUTE_MS + 1000);
      const late = await browser.send('POST', '/api/session/second-factor', { code: codeAt(secret) });
      expect(late).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:sign_in_expired' } });
    });

    it('accepts each recovery code once, case and dashes aside', async () => {
      const browser = new Browser();
      await signInWithPassword(browser, 'tess@example.com');
      const typed = recoveryCodes[0].replaceAll('-', ' ').toUpperCase();
      expect((await browser.send('POST', '/api/session/second-factor', { recoveryCode: typed })).status).toBe(200);
      const again = new Browser();
      await signInWithPassword(again, 'tess@example.com');
      const reused = await again.send('POST', '/api/session/second-factor', { recoveryCode: recoveryCodes[0] });
      expect(reused).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:second_factor_invalid' } });
      const session = again.session(
        await again.send('POST', '/api/session/second-factor', { recoveryCode: recoveryCodes[1] }),
      );
      expect((await session.request('GET', '/api/me/recovery-codes')).body).toMatchObject({ remaining: 8, total: 10 });
      expect((await audit('user.recovery-code.used'))[0]).toMatchObject({ details: { remaining: 8 } });
    });

    it('answers 400 to a second step that is not exactly one of code, recovery code or passkey', async () => {
      const browser = new Browser();
      await signInWithPassword(browser, 'tess@example.com');
      for (const body of [{}, { code: '123456', recoveryCode: recoveryCodes[2] }, { code: 123456 }, { token: '1' }]) {
        const answer = await browser.send('POST', '/api/session/second-factor', body);
        expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { title: 'Bad Request' } });
      }
      const form = await browser.send('POST', '/api/session/second-factor', undefined, {
        'content-type': 'text/plain',
      });
      expect([400, 415]).toContain(form.status);
    });

    it('wants a recent sign-in to turn it off: 403 after 10 minutes, then re-authentication with the password', async () => {
      const browser = new Browser();
      await signInWithPassword(browser, 'tess@example.com');
      clock.advance(30_000);
      const session = browser.session(
        await browser.send('POST', '/api/session/second-factor', { code: codeAt(secret) }),
      );
      clock.advance(11 * MINUTE_MS);
      const stale = await session.request('DELETE', '/api/me/totp');
      expect(stale).toMatchObject({
        status: 403,
        body: { type: 'urn:tollgate:problem:reauthentication_required', max_age: 600 },
      });
      const wrong = await session.request('POST', '/api/session/reauthenticate', {
        password: 'not the password at all',
      });
      expect(wrong).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:reauthentication_failed' } });
      expect(
        (await session.request('POST', '/api/session/reauthenticate', { password: TEST_PASSWORD, passkey: {} })).status,
      ).toBe(400);
      const again = await session.request('POST', '/api/session/reauthenticate', { password: TEST_PASSWORD });
      expect(again.status).toBe(200);
      expect(again.body.authenticatedAt).toBe(clock.now().toISOString());
      expect((await session.request('DELETE', '/api/me/totp')).status).toBe(204);
      expect((await session.request('GET', '/api/me/totp')).body).toEqual({ enabled: false, enabledAt: null });
      // No second factor left: the recovery codes go too, and the password alone signs in again.
      expect((await session.request('GET', '/api/me/recovery-codes')).body).toMatchObject({ total: 0 });
      expect((await signInWithPassword(new Browser(), 'tess@example.com')).status).toBe(200);
      const actions = (await server.api('GET', `/api/audit?actor=${session.user.id}`)).body.items.map(
        (e: any) => e.action,
      );
      expect(actions).toEqual(
        expect.arrayContaining(['user.totp.disabled', 'user.recovery-codes.deleted', 'session.reauthenticated']),
      );
    });
  });

  describe('passkeys (WebAuthn)', () => {
    let authenticator: SoftwareAuthenticator;
    let passkeyId: string;

    beforeAll(async () => {
      authenticator = new SoftwareAuthenticator(server.issuer);
      await server.createUser({ email: 'pia@example.com' });
    });

    it('registers a discoverable passkey for the issuer’s host from a recent sign-in', async () => {
      const session = await signIn('pia@example.com');
      const options = await session.request('POST', '/api/me/passkeys/options');
      expect(options.status).toBe(200);
      expect(options.body).toMatchObject({
        rp: { id: 'localhost', name: 'Tollgate' },
        user: { name: 'pia@example.com', id: Buffer.from(session.user.id).toString('base64url') },
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true },
        attestation: 'none',
        excludeCredentials: [],
      });
      // An answer made for another origin (a phishing page) is refused.
      const phished = new SoftwareAuthenticator('http://evil.example');
      const refused = await session.request('POST', '/api/me/passkeys', {
        name: 'phished',
        passkey: phished.create(options.body, { origin: 'http://evil.example' }),
      });
      expect(refused).toMatchObject({ status: 400 });
      // The challenge was used by that answer: the real one must ask again.
      const fresh = await session.request('POST', '/api/me/passkeys/options');
      const created = await session.request('POST', '/api/me/passkeys', {
        name: '  Laptop  ',
        passkey: authenticator.create(fresh.body),
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        passkey: {
          id: expect.any(String),
          name: 'Laptop',
          backedUp: false,
          transports: ['internal'],
          createdAt: clock.now().toISOString(),
          lastUsedAt: null,
        },
        recoveryCodes: expect.any(Array),
      });
      passkeyId = created.body.passkey.id;
      // The same answer again: its challenge is gone.
      const replay = await session.request('POST', '/api/me/passkeys', {
        name: 'again',
        passkey: authenticator.create(fresh.body),
      });
      expect(replay).toMatchObject({ status: 400, body: { type: 'urn:tollgate:problem:challenge_invalid' } });
      expect((await session.request('GET', '/api/me/passkeys')).body).toHaveLength(1);
      expect((await audit('user.passkey.added'))[0]).toMatchObject({
        actor: { id: session.user.id },
        details: { passkeyId, name: 'Laptop' },
      });
    });

    it('signs in with the passkey alone (username-less), once per challenge, from the browser that asked', async () => {
      const browser = new Browser();
      const options = await browser.send('POST', '/api/session/passkey/options');
      expect(options.status).toBe(200);
      expect(options.body).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });
      expect(browser.cookies.has('tollgate_sign_in')).toBe(true);
      const answer = authenticator.get(options.body);

      // Another browser (without the pending cookie) cannot use the answer.
      const elsewhere = await new Browser().send('POST', '/api/session/passkey', { passkey: answer });
      expect(elsewhere).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:sign_in_expired' } });

      const signedIn = await browser.send('POST', '/api/session/passkey', { passkey: answer });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.email).toBe('pia@example.com');
      expect(browser.cookies.has('tollgate_sign_in')).toBe(false);
      expect((await browser.send('GET', '/api/me')).status).toBe(200);
      const list = (await browser.send('GET', '/api/me/passkeys')).body;
      expect(list[0]).toMatchObject({ id: passkeyId, lastUsedAt: clock.now().toISOString() });

      // The same answer again: the challenge is used up.
      const again = new Browser();
      await again.send('POST', '/api/session/passkey/options');
      expect((await again.send('POST', '/api/session/passkey', { passkey: answer })).status).toBe(401);
      expect((await audit('session.login'))[0]).toMatchObject({
        outcome: 'failure',
        reason: 'no challenge in progress',
      });
    });

    it('refuses a passkey answer without user verification for a passkey sign-in', async () => {
      const careless = new SoftwareAuthenticator(server.issuer, false);
      careless.credentials.push(...authenticator.credentials);
      const browser = new Browser();
      const options = await browser.send('POST', '/api/session/passkey/options');
      const refused = await browser.send('POST', '/api/session/passkey', { passkey: careless.get(options.body) });
      expect(refused).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:passkey_refused' } });
    });

    it('serves as the second step after the password', async () => {
      const browser = new Browser();
      const first = await signInWithPassword(browser, 'pia@example.com');
      expect(first).toMatchObject({ status: 202, body: { methods: ['passkey', 'recovery_code'] } });
      const options = await browser.send('POST', '/api/session/second-factor/options');
      expect(options.body.allowCredentials).toEqual([
        { id: authenticator.credentials[0].id, type: 'public-key', transports: ['internal'] },
      ]);
      const done = await browser.send('POST', '/api/session/second-factor', {
        passkey: authenticator.get(options.body),
      });
      expect(done.status).toBe(200);
      expect((await audit('session.login'))[0]).toMatchObject({ details: { methods: ['password', 'passkey'] } });
    });

    it('renames without re-authentication; removing wants a recent sign-in, or a passkey re-authentication', async () => {
      const browser = new Browser();
      const options = await browser.send('POST', '/api/session/passkey/options');
      const session = browser.session(
        await browser.send('POST', '/api/session/passkey', { passkey: authenticator.get(options.body) }),
      );
      clock.advance(11 * MINUTE_MS);
      const renamed = await session.request('PATCH', `/api/me/passkeys/${passkeyId}`, { name: 'Work laptop' });
      expect(renamed).toMatchObject({ status: 200, body: { name: 'Work laptop' } });
      expect((await session.request('PATCH', `/api/me/passkeys/${passkeyId}`, { name: '' })).status).toBe(400);
      expect((await session.request('DELETE', `/api/me/passkeys/${passkeyId}`)).status).toBe(403);

      const reauth = await session.request('POST', '/api/session/reauthenticate/options');
      expect(reauth.body).toMatchObject({
        userVerification: 'required',
        allowCredentials: [{ id: authenticator.credentials[0].id }],
      });
      const confirmed = await session.request('POST', '/api/session/reauthenticate', {
        passkey: authenticator.get(reauth.body),
      });
      expect(confirmed.status).toBe(200);
      expect((await session.request('DELETE', `/api/me/passkeys/00000000-0000-4000-8000-000000000000`)).status).toBe(
        404,
      );
      expect((await session.request('DELETE', `/api/me/passkeys/${passkeyId}`)).status).toBe(204);
      expect((await session.request('GET', '/api/me/passkeys')).body).toEqual([]);
      expect((await audit('user.passkey.removed'))[0]).toMatchObject({ details: { passkeyId, name: 'Work laptop' } });
      // Gone: it signs no one in.
      const later = new Browser();
      const again = await later.send('POST', '/api/session/passkey/options');
      expect(
        (await later.send('POST', '/api/session/passkey', { passkey: authenticator.get(again.body) })).status,
      ).toBe(401);
    });
  });

  describe('the admin policy: a second factor for administrators', () => {
    it('leaves an admin without one a session that can only set one up', async () => {
      await server.createUser({ email: 'ada@example.com', roles: ['admin'] });
      const before = await signIn('ada@example.com');
      // Requiring a factor you lack yourself would lock you out: refused.
      const own = await before.request('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: true });
      expect(own).toMatchObject({ status: 409, body: { type: 'urn:tollgate:problem:second_factor_missing' } });
      expect(
        (await server.api('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: 'yes' })).status,
      ).toBe(400);
      const set = await server.api('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: true });
      expect(set).toMatchObject({ status: 200, body: { requireSecondFactorForAdmins: true } });
      expect((await audit('sign-in.policy.updated'))[0]).toMatchObject({
        details: { before: { requireSecondFactorForAdmins: false }, after: { requireSecondFactorForAdmins: true } },
      });

      // The session from before the policy is held to it at once.
      expect((await before.request('GET', '/api/users')).body.type).toBe(
        'urn:tollgate:problem:second_factor_setup_required',
      );
      const browser = new Browser();
      const started = await signInWithPassword(browser, 'ada@example.com');
      expect(started).toMatchObject({ status: 200, body: { secondFactorSetupRequired: true } });
      const session = browser.session(started);
      for (const [method, path, body] of [
        ['GET', '/api/users'],
        ['GET', '/api/settings/sign-in-policy'],
        ['GET', '/api/me/tokens'],
        ['POST', '/api/me/tokens', { name: 'escape', scopes: ['admin'], expiresInDays: 7 }],
        ['POST', '/api/device/lookup', { userCode: 'ABCD-EFGH' }],
      ] as const) {
        const refused = await session.request(method, path, body);
        expect(refused, `${method} ${path}`).toMatchObject({
          status: 403,
          body: { type: 'urn:tollgate:problem:second_factor_setup_required' },
        });
      }
      expect((await session.request('GET', '/api/me')).status).toBe(200);
      expect((await session.request('GET', '/api/session')).body.secondFactorSetupRequired).toBe(true);

      await enableTotp(session);
      expect((await session.request('GET', '/api/users')).status).toBe(200);
      expect((await session.request('GET', '/api/session')).body.secondFactorSetupRequired).toBe(false);
      // The policy keeps the last factor in place.
      const last = await session.request('DELETE', '/api/me/totp');
      expect(last).toMatchObject({
        status: 409,
        body: { type: 'urn:tollgate:problem:second_factor_required_by_policy' },
      });

      // A person who is no admin is not concerned.
      await server.createUser({ email: 'no-admin@example.com' });
      const plain = await signIn('no-admin@example.com');
      expect((await plain.request('GET', '/api/me/tokens')).status).toBe(200);
      await server.api('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: false });
    });
  });

  describe('account recovery by an admin', () => {
    it('removes every factor of a person who lost them; the password alone signs them in again', async () => {
      const lost = await server.createUser({ email: 'lost@example.com' });
      await enableTotp(await signIn('lost@example.com'));
      expect((await signInWithPassword(new Browser(), 'lost@example.com')).status).toBe(202);

      const missing = await server.api('DELETE', '/api/users/00000000-0000-4000-8000-000000000000/sign-in-factors');
      expect(missing.status).toBe(404);
      expect((await server.api('DELETE', `/api/users/${lost.id}/sign-in-factors`)).status).toBe(204);
      expect((await signInWithPassword(new Browser(), 'lost@example.com')).status).toBe(200);
      expect((await audit('user.sign-in-factors.reset'))[0]).toMatchObject({
        credential: { type: 'user', id: lost.id },
        details: { passkeys: 0, totp: true, recoveryCodes: 10 },
      });

      // Not for oneself: account settings do that, with a recent sign-in.
      await server.createUser({ email: 'root@example.com', roles: ['admin'] });
      const admin = await signIn('root@example.com');
      const own = await admin.request('DELETE', `/api/users/${admin.user.id}/sign-in-factors`);
      expect(own).toMatchObject({ status: 409, body: { type: 'urn:tollgate:problem:own_factors' } });
    });
  });

  describe('every new route checks its caller', () => {
    const PROTECTED: [string, string, unknown?][] = [
      ['GET', '/api/me/passkeys'],
      ['POST', '/api/me/passkeys/options'],
      ['POST', '/api/me/passkeys', { name: 'x', passkey: {} }],
      ['PATCH', '/api/me/passkeys/00000000-0000-4000-8000-000000000000', { name: 'x' }],
      ['DELETE', '/api/me/passkeys/00000000-0000-4000-8000-000000000000'],
      ['GET', '/api/me/totp'],
      ['POST', '/api/me/totp'],
      ['POST', '/api/me/totp/confirm', { code: '123456' }],
      ['DELETE', '/api/me/totp'],
      ['GET', '/api/me/recovery-codes'],
      ['POST', '/api/me/recovery-codes'],
      ['POST', '/api/session/reauthenticate/options'],
      ['POST', '/api/session/reauthenticate', { password: 'x' }],
    ];

    it.each(PROTECTED)(
      '%s %s: 401 without a session, 403 with a bearer token or without the CSRF token',
      async (method, path, body) => {
        const anonymous = await server.request(method, path, {
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(anonymous).toMatchObject({ status: 401, body: { type: 'urn:tollgate:problem:unauthenticated' } });
        const bearer = await server.api(method, path, body);
        expect(bearer).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:session_required' } });
        if (method !== 'GET') {
          await server
            .createUser({ email: `csrf-${method}-${path.length}-${Math.random()}@example.com` })
            .then(async (user) => {
              const session = await signIn(user.email);
              const forged = await session.request(method, path, body, { csrf: false });
              expect(forged).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:csrf_token_invalid' } });
            });
        }
      },
    );

    it('answers 400 with a problem body to malformed input', async () => {
      await server.createUser({ email: 'bad-input@example.com' });
      const session = await signIn('bad-input@example.com');
      for (const [method, path, body] of [
        ['POST', '/api/me/passkeys', { name: 'x', passkey: { id: 'not base64url!', rawId: 'x', type: 'public-key' } }],
        ['POST', '/api/me/passkeys', { name: 'x' }],
        ['PATCH', '/api/me/passkeys/not-a-uuid', { name: 'x' }],
        ['POST', '/api/me/totp/confirm', { code: 'abcdef' }],
        ['POST', '/api/me/totp/confirm', { code: '123456', extra: true }],
        ['POST', '/api/session/reauthenticate', {}],
        ['POST', '/api/session/passkey', { passkey: { id: 'x' } }],
      ] as const) {
        const answer = await session.request(method, path, body);
        expect(answer, `${method} ${path} ${JSON.stringify(body)}`).toMatchObject({
          status: 400,
          body: { status: 400, title: 'Bad Request', detail: expect.any(String) },
        });
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      // No factor yet: nothing for recovery codes to stand in for.
      expect((await session.request('POST', '/api/me/recovery-codes')).status).toBe(409);
    });
  });
});
