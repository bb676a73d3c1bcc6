import type { Browser } from 'playwright-core';
import { AuthServerHarness, TEST_PASSWORD } from '../support/auth-server.harness.js';
import { CRM } from '../support/service-b.harness.js';
import {
  alertMessage,
  contrastFailures,
  describeInBrowser,
  focused,
  launchBrowser,
  openConsole,
  pageTitle,
  readableState,
  screenshot,
  signIn,
  statusMessage,
  unlabelledControls,
} from './console-browser.js';

const ADMIN_APIS = [
  '/api/consumers',
  '/api/clients',
  '/api/users',
  '/api/roles',
  '/api/audit',
  '/api/signing-keys',
  '/api/settings/pat-policy',
  '/api/broker/status',
];

/** What protects the console: scopes, CSRF, the cookie, the CSP; and what makes it usable: keyboard, focus, contrast. */
describeInBrowser('console: security and accessibility', () => {
  let browser: Browser;
  let auth: AuthServerHarness;

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    await auth.createResource(CRM, ['contacts:read', 'contacts:write']);
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    await auth.createUser({ email: 'reader@example.com', roles: ['crm-reader'] });
    await auth.createUser({ email: 'leaver@example.com', roles: ['crm-reader'] });
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
  });

  it('keeps a non-admin out of the admin pages: the page says so and the API refuses', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'reader@example.com');
      await pageTitle(page, 'Personal access tokens');
      expect(await page.getByRole('heading', { name: 'Administration' }).count()).toBe(0);
      expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents()).toEqual([
        'Personal access tokens',
        'Device sign-in',
        'Sign-in and security',
      ]);

      for (const path of ['/console/admin/api-keys', '/console/admin/audit']) {
        await page.goto(auth.issuer + path);
        await pageTitle(page, 'Administrators only');
        await page
          .getByText(
            /is for administrators\. You are signed in as reader@example\.com, who does not hold the admin scope/,
          )
          .waitFor();
      }
      await screenshot(page, 'non-admin-refused');
      const answers = await page.evaluate(
        async (paths) =>
          Promise.all(
            paths.map(async (path) => ({
              path,
              status: (await fetch(path)).status,
              body: await (await fetch(path)).json(),
            })),
          ),
        ADMIN_APIS,
      );
      for (const answer of answers) {
        expect(answer, answer.path).toMatchObject({
          status: 403,
          body: { type: 'urn:tollgate:problem:insufficient_scope', detail: 'This request needs the scope admin' },
        });
      }
      expect(record.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses state-changing requests without the CSRF token, keeps the cookie HttpOnly and SameSite=Lax, and stores no secret', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'reader@example.com');
      await pageTitle(page, 'Personal access tokens');

      const cookies = await context.cookies();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({
        name: 'tollgate_session',
        httpOnly: true,
        sameSite: 'Lax',
        secure: false,
        path: '/',
      });
      const session = cookies[0].value;

      // The page's own fetch, with the cookie but without X-CSRF-Token (or with a wrong one): refused.
      const forged = await page.evaluate(async () => {
        const attempt = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
          const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
          const response = await fetch(path, {
            method,
            headers: { ...json, ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: response.status, body: await response.json().catch(() => null) };
        };
        return {
          create: await attempt(
            'POST',
            '/api/me/tokens',
            {},
            { name: 'forged', scopes: ['contacts:read'], expiresInDays: 7 },
          ),
          wrongToken: await attempt(
            'POST',
            '/api/me/tokens',
            { 'x-csrf-token': 'not-the-token' },
            { name: 'forged', scopes: ['contacts:read'], expiresInDays: 7 },
          ),
          signOut: await attempt('DELETE', '/api/session'),
          stillSignedIn: (await fetch('/api/me')).status,
          tokens: await (await fetch('/api/me/tokens')).json(),
        };
      });
      for (const refused of [forged.create, forged.wrongToken, forged.signOut]) {
        expect(refused).toMatchObject({ status: 403, body: { type: 'urn:tollgate:problem:csrf_token_invalid' } });
      }
      expect(forged.stillSignedIn).toBe(200);
      expect(forged.tokens).toEqual([]);

      // The console's own requests carry the token (kept in memory): creating works.
      await page.getByRole('button', { name: 'Create a token' }).click();
      await page.getByLabel('Name').fill('kept in memory');
      await page.getByRole('checkbox', { name: 'contacts:read' }).check();
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = await page.getByRole('textbox', { name: 'Personal access token', exact: true }).inputValue();
      const { csrfToken } = await page.evaluate(async () => (await fetch('/api/session')).json());
      expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const state = await readableState(page);
      expect(JSON.parse(state.localStorage)).toEqual({});
      expect(JSON.parse(state.sessionStorage)).toEqual({});
      expect(state.documentCookie).toBe('');
      for (const secret of [token, csrfToken, session, TEST_PASSWORD, encodeURIComponent(TEST_PASSWORD)]) {
        for (const place of [state.url, ...record.requestUrls]) expect(place).not.toContain(secret);
      }
      // Leaving the page takes the secret out of the DOM.
      await page
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: 'Personal access tokens' })
        .click();
      await page.getByRole('heading', { name: 'Your tokens' }).waitFor();
      expect(await page.content()).not.toContain(token);
      expect(record.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('serves the console under a strict CSP that blocks inline script, HTML strings and framing', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      const response = await page.goto(`${auth.issuer}/console/tokens`);
      const headers = response!.headers();
      expect(headers['content-security-policy']).toContain("default-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(headers).toMatchObject({
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      await pageTitle(page, 'Sign in to Tollgate');

      // Script the page did not ship cannot run: Trusted Types refuse string-to-script and
      // string-to-HTML sinks, CSP refuses javascript: URLs. (DevTools evaluation, which drives this
      // test, is exempt from CSP's eval check, so eval itself is not probed here.)
      const attempts = await page.evaluate(async () => {
        const outcome = (action: () => void) => {
          try {
            action();
            return 'allowed';
          } catch (error) {
            return (error as Error).name;
          }
        };
        const injected = () => (window as unknown as { injected?: boolean }).injected ?? false;
        const results = {
          scriptText: outcome(() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.append(script);
          }),
          innerHtml: outcome(() => {
            document.createElement('div').innerHTML = '<img src=x onerror="window.injected = true">';
          }),
          inlineHandler: outcome(() => {
            const button = document.createElement('button');
            button.setAttribute('onclick', 'window.injected = true');
            document.body.append(button);
            button.click();
          }),
          javascriptUrl: outcome(() => {
            const link = document.createElement('a');
            link.href = 'javascript:window.injected = true';
            document.body.append(link);
            link.click();
          }),
          injected: false,
        };
        await new Promise((resolve) => setTimeout(resolve, 300));
        results.injected = injected();
        return results;
      });
      expect(attempts).toMatchObject({
        scriptText: 'TypeError',
        innerHtml: 'TypeError',
        inlineHandler: 'TypeError',
        injected: false,
      });

      // Framed by another origin: refused by frame-ancestors 'none'.
      await page.goto(`${auth.issuer}/health`);
      await page.evaluate(
        (url) => {
          const frame = document.createElement('iframe');
          frame.src = url;
          document.body.append(frame);
        },
        auth.issuer.replace('127.0.0.1', 'localhost') + '/console',
      );
      await expect
        .poll(() => record.cspViolations.some((message) => message.includes('frame-ancestors')), { timeout: 10_000 })
        .toBe(true);
      expect(page.frames()).toHaveLength(2);
      expect(await page.frames()[1].getByText('Sign in to Tollgate').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('works from the keyboard: skip link, form, dialog focus, visible focus; labels and contrast in the dark too', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer, { colorScheme: 'dark' });
    try {
      await page.getByRole('banner').waitFor();
      await page.getByLabel('Email').fill('reader@example.com');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.keyboard.press('Enter');
      await pageTitle(page, 'Personal access tokens');
      expect(await page.getByRole('main').count()).toBe(1);
      expect(await page.getByRole('navigation', { name: 'Console' }).count()).toBe(1);

      // On a fresh load, the skip link is the first stop and moves the focus to the main content.
      await page.goto(`${auth.issuer}/console/tokens`);
      await pageTitle(page, 'Personal access tokens');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toEqual({ tag: 'a', text: 'Skip to main content' });
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      await page.keyboard.press('Enter');
      expect(await focused(page)).toEqual({ tag: 'h1', text: 'Personal access tokens' });

      // Create a token with the keyboard only.
      await page.getByRole('button', { name: 'Create a token' }).focus();
      await page.keyboard.press('Enter');
      expect(await focused(page)).toMatchObject({ tag: 'input' });
      await page.keyboard.type('keyboard token');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({ tag: 'input' });
      await page.keyboard.press('Space');
      expect(await page.getByRole('checkbox', { name: 'contacts:read' }).isChecked()).toBe(true);
      await page.getByLabel('Name').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Copy your new personal access token now' }).waitFor();
      expect(await focused(page)).toMatchObject({ tag: 'h2' });
      expect(await unlabelledControls(page)).toEqual([]);
      await screenshot(page, 'pat-created-dark');
      expect(await contrastFailures(page)).toEqual([]);
      // Reflow (WCAG 1.4.10): nothing scrolls sideways but the tables themselves, wide or narrow.
      const pageScrollsSideways = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(await pageScrollsSideways()).toBe(false);
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await pageScrollsSideways()).toBe(false);
      await screenshot(page, 'pat-created-dark-narrow');
      await page.setViewportSize({ width: 1280, height: 860 });

      // The confirmation dialog: focus inside on open, Tab stays in it, back on the opener on close.
      const revoke = page.getByRole('button', { name: 'Revoke keyboard token' });
      await revoke.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Revoke the token “keyboard token”?' });
      await dialog.waitFor();
      expect(await focused(page)).toEqual({ tag: 'button', text: 'Cancel' });
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toEqual({ tag: 'button', text: 'Revoke token' });
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
      await page.keyboard.press('Enter');
      await statusMessage(page, /The token “keyboard token” is revoked/);
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toMatch(/^(h2|input)$/);
      expect(await contrastFailures(page)).toEqual([]);
      expect(record.errors).toEqual([]);
      expect(record.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says the session has ended when the server ends it, and signs in again to the same page', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'leaver@example.com');
      await pageTitle(page, 'Personal access tokens');
      const leaver = (await auth.api('GET', '/api/users?email=leaver@example.com')).body[0];
      await auth.api('PATCH', `/api/users/${leaver.id}`, { password: 'a brand new password' });

      await page.getByRole('link', { name: 'Personal access tokens' }).click();
      await pageTitle(page, 'Sign in to Tollgate');
      await alertMessage(page, /Your session has ended\. Sign in again to continue\./);
      await signIn(page, 'leaver@example.com', 'a brand new password');
      await pageTitle(page, 'Personal access tokens');
      expect(record.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
