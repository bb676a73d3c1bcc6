import type { Browser } from 'playwright-core';
import { AuthServerHarness, TEST_PASSWORD } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import {
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

/** The seed's PAT story, in the browser: account settings → personal access tokens. */
describeInBrowser('console: personal access tokens', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    crm = await ServiceBHarness.start(auth);
    await auth.createRole('crm-editor', [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }]);
    await auth.createUser({ email: 'dev@example.com', displayName: 'Dana Developer', roles: ['crm-editor'] });
    await auth.createUser({ email: 'forgetful@example.com', roles: ['crm-editor'] });
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await crm?.stop();
    await auth?.stop();
  });

  it('signs in, creates a token, copies it, uses it at service-b, revokes it in the page (then 401) and signs out', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await pageTitle(page, 'Sign in to Tollgate');
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
      await screenshot(page, 'sign-in');
      await signIn(page, 'dev@example.com');
      await pageTitle(page, 'Personal access tokens');
      expect(new URL(page.url()).pathname).toBe('/console/tokens');
      await statusMessage(page, /Signed in as dev@example\.com/);
      await expect(page.getByText('You have no active tokens.').isVisible()).resolves.toBe(true);

      // Create: name, a scope from those the user holds, a 7-day preset.
      await page.getByRole('button', { name: 'Create a token' }).click();
      expect(await focused(page)).toMatchObject({ tag: 'input' });
      await page.getByLabel('Name').fill('deploy script');
      await page.getByRole('checkbox', { name: 'contacts:read' }).check();
      await page.getByRole('radio', { name: '7 days' }).check();
      await screenshot(page, 'pat-create-form');
      await page.getByRole('button', { name: 'Create token' }).click();

      // Shown once, with a warning, focus on the panel's heading; copied through the clipboard.
      const panelTitle = page.getByRole('heading', { name: 'Copy your new personal access token now' });
      await panelTitle.waitFor();
      expect(await focused(page)).toEqual({ tag: 'h2', text: 'Copy your new personal access token now' });
      await expect(page.getByText('It will not be shown again.').isVisible()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Copy personal access token' }).click();
      await statusMessage(page, /copied to the clipboard/);
      const token = await page.evaluate(() => navigator.clipboard.readText());
      expect(token).toMatch(/^tgp_[A-Za-z0-9]{40,}$/);
      expect(await page.getByRole('textbox', { name: 'Personal access token', exact: true }).inputValue()).toBe(token);

      // Listed with its scope, prefix, expiry highlighted as near (7 days ≤ the 7-day warning window).
      const row = page.locator('tbody tr', { hasText: 'deploy script' });
      await row.waitFor();
      expect(await row.getAttribute('class')).toContain('row-warning');
      await expect(row.getByText('Expires soon').isVisible()).resolves.toBe(true);
      expect(await row.textContent()).toContain(token.slice(0, 8));
      await page.getByText('One token expires within 7 days').waitFor();
      await screenshot(page, 'pat-created');
      expect(await contrastFailures(page)).toEqual([]);
      expect(await unlabelledControls(page)).toEqual([]);

      // The token works at service-b …
      expect((await crm.bearer(token)).status).toBe(200);
      // … and was never stored by the page, nor put in a URL.
      const state = await readableState(page);
      for (const place of [
        state.localStorage,
        state.sessionStorage,
        state.url,
        state.documentCookie,
        ...record.requestUrls,
      ])
        expect(place).not.toContain(token);

      // Revoke, with a confirmation dialog: Escape cancels and gives the focus back.
      const revoke = row.getByRole('button', { name: 'Revoke deploy script' });
      await revoke.click();
      const dialog = page.getByRole('dialog', { name: 'Revoke the token “deploy script”?' });
      await dialog.waitFor();
      expect(await focused(page)).toEqual({ tag: 'button', text: 'Cancel' });
      await screenshot(page, 'pat-revoke-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await focused(page)).toMatchObject({ tag: 'button', text: 'Revoke deploy script' });
      expect((await crm.bearer(token)).status).toBe(200);

      await revoke.click();
      await dialog.getByRole('button', { name: 'Revoke token' }).click();
      await statusMessage(page, /The token “deploy script” is revoked/);
      await eventually(async () => expect((await crm.bearer(token)).status).toBe(401));
      expect((await crm.bearer(token)).body).toMatchObject({ error: 'invalid_token' });
      await page.getByText('You have no active tokens.').waitFor();
      await page.getByLabel('Show revoked and expired tokens (1)').check();
      await expect(
        page.locator('tbody tr', { hasText: 'deploy script' }).getByText('revoked').isVisible(),
      ).resolves.toBe(true);

      // The panel goes with the page: nothing of the token is left in the DOM after leaving.
      await page.getByRole('button', { name: 'Done, I have stored it' }).click();
      expect(await page.content()).not.toContain(token);

      // Sign out ends the session at the server.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await pageTitle(page, 'Sign in to Tollgate');
      await statusMessage(page, /You are signed out/);
      expect(await page.evaluate(async () => (await fetch('/api/session')).status)).toBe(401);
      expect(await context.cookies()).toEqual([]);
      expect(record.errors).toEqual([]);
      expect(record.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says in words why a sign-in failed, and when throttled, when to try again', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signInExpectingError(page, 'forgetful@example.com', 'not my password');
      const summary = page.locator('form .error-summary');
      await summary.getByText('The email or password is incorrect').waitFor();
      expect(await focused(page)).toMatchObject({ text: 'The email or password is incorrect' });
      expect(await page.getByLabel('Password').inputValue()).toBe('');

      for (let attempt = 2; attempt <= 5; attempt += 1) {
        await signInExpectingError(page, 'forgetful@example.com', `wrong ${attempt}`);
        await summary.getByText('The email or password is incorrect').waitFor();
      }
      // Throttled (429 + Retry-After): even the right password waits.
      await signInExpectingError(page, 'forgetful@example.com', TEST_PASSWORD);
      await summary.getByText(/Too many failed sign-ins .* try again in \d+ seconds/).waitFor();
      await page.getByText(/You can sign in again in \d+ s\./).waitFor();
      await expect(page.getByRole('button', { name: 'Sign in', exact: true }).isDisabled()).resolves.toBe(true);
      await screenshot(page, 'sign-in-throttled');
      expect(await contrastFailures(page)).toEqual([]);
      expect(record.errors).toEqual([]);
      expect(new URL(page.url()).search).toBe('');
    } finally {
      await context.close();
    }
  });

  it('shows the API’s refusal of a token request in words', async () => {
    const { context, page } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'dev@example.com');
      await pageTitle(page, 'Personal access tokens');
      const create = await auth.login('dev@example.com');
      await create.createToken({ name: 'taken', scopes: ['contacts:read'], expiresInDays: 7 });
      await page.getByRole('button', { name: 'Create a token' }).click();
      await page.getByLabel('Name').fill('taken');
      await page.getByRole('checkbox', { name: 'contacts:write' }).check();
      await page.getByRole('button', { name: 'Create token' }).click();
      await alertInForm(page, /A token named "taken" already exists/);
      // Client-side checks speak too.
      await page.getByLabel('Name').fill('nothing');
      await page.getByRole('checkbox', { name: 'contacts:write' }).uncheck();
      await page.getByRole('button', { name: 'Create token' }).click();
      await alertInForm(page, /Pick at least one scope/);

      // The policy changed after the page was drawn: the refusal makes the form read it again (GET /api/me/tokens/policy).
      expect(
        (await auth.api('PUT', '/api/settings/pat-policy', { maxLifetimeDays: 20, allowNoExpiry: false })).status,
      ).toBe(200);
      await page.getByRole('checkbox', { name: 'contacts:write' }).check();
      await page.getByRole('radio', { name: '30 days' }).check();
      await page.getByRole('button', { name: 'Create token' }).click();
      await alertInForm(page, /expiresInDays is beyond the maximum lifetime of 20 days/);
      await page.getByText('Your organisation allows tokens to live at most 20 days.').waitFor();
      expect(
        await page
          .locator('input[name="expiry"]')
          .evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).labels![0].textContent)),
      ).toEqual(['7 days', '20 days', 'On a date']);
      await page.getByRole('radio', { name: '20 days' }).check();
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByRole('heading', { name: 'Copy your new personal access token now' }).waitFor();
    } finally {
      await context.close();
    }
  });
});

async function signInExpectingError(
  page: import('playwright-core').Page,
  email: string,
  password: string,
): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function alertInForm(page: import('playwright-core').Page, text: RegExp): Promise<void> {
  await page.locator('form .error-summary[role="alert"]').filter({ hasText: text }).waitFor();
}
