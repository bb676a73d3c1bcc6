import { ManualClock } from '@tollgate/platform';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { AuthServerHarness, TEST_PASSWORD } from '../support/auth-server.harness.js';
import { freePort } from '../support/free-port.js';
import {
  describeInBrowser,
  launchBrowser,
  openConsole,
  pageTitle,
  screenshot,
  signIn,
  statusMessage,
} from './console-browser.js';

const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/**
 * Passkeys and a second factor from the console (issue 14), in Chromium with a virtual
 * authenticator (the DevTools protocol's WebAuthn domain): add a passkey and sign in with it alone;
 * turn on an authenticator app and sign in with the password and its code.
 */
describeInBrowser('console: passkeys and two-step sign-in', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  // The server's clock: TOTP codes are computed for it, and moved on past a used code's step.
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    const port = await freePort();
    // WebAuthn needs a domain for the relying party (and a secure context): localhost is both.
    [browser, auth] = await Promise.all([
      launchBrowser(),
      AuthServerHarness.start({ clock, port, env: { AUTH_ISSUER: `http://localhost:${port}` } }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
  });

  /** A signed-in console at this width, with a platform authenticator that holds discoverable credentials. */
  async function signedIn(email: string, viewport: { width: number; height: number }) {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    await page.setViewportSize(viewport);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    await signIn(page, email);
    return { context, page, record, cdp, authenticatorId };
  }

  async function openSecurityPage(page: Page) {
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Sign-in and security' }).click();
    await pageTitle(page, 'Sign-in and security');
  }

  async function signOut(page: Page) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await pageTitle(page, 'Sign in to Tollgate');
  }

  /** The recovery codes panel shows ten codes once; the person says they stored them. */
  async function storeRecoveryCodes(page: Page): Promise<string[]> {
    await page.getByRole('heading', { name: 'Store your recovery codes now' }).waitFor();
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
    expect(codes).toHaveLength(10);
    await page.getByRole('button', { name: 'Done, I have stored them' }).click();
    await page.getByRole('heading', { name: 'Store your recovery codes now' }).waitFor({ state: 'detached' });
    return codes;
  }

  async function noHorizontalScroll(page: Page, width: number) {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }

  it.each(VIEWPORTS)(
    'adds a passkey, signs in with it alone, and removes it after confirming it is you ($name, $width px)',
    async (viewport) => {
      const email = `pia-${viewport.name}@example.com`;
      await auth.createUser({ email });
      const { context, page, record, cdp, authenticatorId } = await signedIn(email, viewport);
      try {
        await openSecurityPage(page);
        await page.getByText('You have no passkeys.').waitFor();
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.getByLabel('Name').fill('This browser');
        await page.getByRole('button', { name: 'Create passkey' }).click();
        const codes = await storeRecoveryCodes(page);
        expect(codes[0]).toMatch(/^([0-9a-z]{4}-){3}[0-9a-z]{4}$/);
        const row = page.getByRole('row').filter({ hasText: 'This browser' });
        await row.waitFor();
        const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
        expect(credentials).toHaveLength(1);
        expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
        await noHorizontalScroll(page, viewport.width);
        await screenshot(page, `security-passkey-${viewport.name}`);

        await signOut(page);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        await pageTitle(page, 'Personal access tokens');
        const [login] = (await auth.api('GET', '/api/audit?action=session.login&outcome=success')).body.items;
        expect(login).toMatchObject({ details: { email, methods: ['passkey'] } });

        // Later than 10 minutes after the sign-in, removing it asks who you are first.
        clock.advance(11 * 60_000);
        await openSecurityPage(page);
        await page.getByRole('button', { name: 'Remove This browser' }).click();
        await page.getByRole('dialog', { name: 'Remove the passkey “This browser”?' }).waitFor();
        await page.getByRole('button', { name: 'Remove passkey' }).click();
        const confirm = page.getByRole('dialog', { name: 'Confirm it is you' });
        await confirm.waitFor();
        await confirm.getByLabel('Password').fill('not my password at all');
        await confirm.getByRole('button', { name: 'Confirm' }).click();
        await confirm.getByText('The password is incorrect').waitFor();
        await confirm.getByLabel('Password').fill(TEST_PASSWORD);
        await confirm.getByRole('button', { name: 'Confirm' }).click();
        await statusMessage(page, /The passkey “This browser” is removed/);
        await page.getByText('You have no passkeys.').waitFor();
        expect(record.errors).toEqual([]);
        expect(record.cspViolations).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );

  it.each(VIEWPORTS)(
    'turns on an authenticator app and signs in with the password and its code ($name, $width px)',
    async (viewport) => {
      const email = `tess-${viewport.name}@example.com`;
      await auth.createUser({ email });
      const { context, page, record } = await signedIn(email, viewport);
      try {
        await openSecurityPage(page);
        await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
        await page.getByRole('img', { name: /QR code/ }).waitFor();
        const secret = await page.getByLabel('Setup key').inputValue();
        expect(secret).toMatch(/^[A-Z2-7]{32}$/);
        const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
        await page.getByLabel('Code from the app').fill(totp.generate({ timestamp: clock.now().getTime() }));
        await noHorizontalScroll(page, viewport.width);
        await screenshot(page, `security-totp-setup-${viewport.name}`);
        await page.getByRole('button', { name: 'Turn on' }).click();
        await storeRecoveryCodes(page);
        await page.getByRole('button', { name: 'Turn off the authenticator app' }).waitFor();

        await signOut(page);
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await pageTitle(page, 'Confirm it is you');
        // The code used to turn the app on is spent: the next 30-second step's code signs in.
        clock.advance(30_000);
        await page.getByLabel('Authentication code').fill(totp.generate({ timestamp: clock.now().getTime() }));
        await noHorizontalScroll(page, viewport.width);
        await screenshot(page, `sign-in-second-step-${viewport.name}`);
        await page.getByRole('button', { name: 'Verify' }).click();
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        await pageTitle(page, 'Personal access tokens');
        const cookies = await context.cookies();
        expect(cookies.map((cookie) => cookie.name)).toEqual(['tollgate_session']);
        const [login] = (await auth.api('GET', '/api/audit?action=session.login&outcome=success')).body.items;
        expect(login).toMatchObject({ details: { email, methods: ['password', 'totp'] } });
        expect(record.errors).toEqual([]);
        expect(record.cspViolations).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );

  it('sends an administrator the policy asks for a second factor to set one up, and nowhere else', async () => {
    await auth.createUser({ email: 'ada@example.com', roles: ['admin'] });
    const { context, page, record } = await signedIn('ada@example.com', VIEWPORTS[0]);
    try {
      await openSecurityPage(page);
      // The policy would lock its author out: refused, and the box says so by staying unchecked.
      const box = page.getByRole('checkbox', { name: 'Require a second factor for administrators' });
      await box.click();
      await page.locator('#alert-region').filter({ hasText: 'for yourself first' }).waitFor();
      expect(await box.isChecked()).toBe(false);

      await auth.api('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: true });
      await signOut(page);
      await signIn(page, 'ada@example.com');
      await pageTitle(page, 'Sign-in and security');
      await page.getByText('Your organisation requires administrators to use a second factor.').waitFor();
      expect(await page.getByRole('heading', { name: 'Administration' }).count()).toBe(0);
      await page.goto(`${auth.issuer}/console/admin/users`);
      await pageTitle(page, 'Sign-in and security');
      await screenshot(page, 'security-second-factor-required');

      // An authenticator app set up: after the recovery codes, the administration is back.
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const secret = await page.getByLabel('Setup key').inputValue();
      const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
      await page.getByLabel('Code from the app').fill(totp.generate({ timestamp: clock.now().getTime() }));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await storeRecoveryCodes(page);
      await page.getByRole('heading', { name: 'Administration' }).waitFor();
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
      await pageTitle(page, 'Users');
      expect(record.errors).toEqual([]);
    } finally {
      await auth.api('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: false });
      await context.close();
    }
  });
});
