import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { appsAreBuilt } from '../support/app-process.js';
import { startCli } from '../support/cli-process.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import {
  contrastFailures,
  describeInBrowser,
  launchBrowser,
  openConsole,
  pageTitle,
  readableState,
  screenshot,
  signIn,
  unlabelledControls,
} from './console-browser.js';

const CRM = 'https://crm.tollgate.local';

/**
 * Issue 17's "done when": `tollgate login` → approve in the browser → `tollgate keys create`, with
 * the built CLI as a process and the console in Chromium.
 */
describeInBrowser('console: device sign-in (RFC 8628) for the CLI', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let configDir: string;

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    await auth.createResource(CRM, ['contacts:read']);
    await auth.createRole('administrators', [{ resource: auth.managementApi, scopes: ['admin'] }]);
    await auth.createUser({ email: 'ada@example.com', roles: ['administrators'] });
    await auth.createUser({ email: 'grace@example.com' });
    configDir = mkdtempSync(join(tmpdir(), 'tollgate-console-device-'));
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const tollgate = (...args: string[]) =>
    startCli(args, { TOLLGATE_CONFIG_DIR: configDir, TOLLGATE_ISSUER: auth.issuer });

  it.skipIf(!appsAreBuilt('cli'))(
    'tollgate login → sign in and approve in the console → tollgate keys create',
    async () => {
      const login = tollgate('login');
      let link = '';
      await eventually(() => {
        link = /\(or open (\S+)\)/.exec(login.run.stderr)?.[1] ?? '';
        expect(link).not.toBe('');
      }, 10_000);
      const code = new URL(link).searchParams.get('user_code');
      expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);

      // The person follows the link, is asked to sign in first, and comes back to the device page.
      const { context, page, record } = await openConsole(browser, auth.issuer);
      try {
        await page.goto(link);
        await pageTitle(page, 'Sign in to Tollgate');
        await signIn(page, 'ada@example.com');
        await pageTitle(page, 'Device sign-in');
        // The code is filled in, but nothing is approved until the person reads the request and says so.
        await expect(page.getByLabel('Code').inputValue()).resolves.toBe(code);
        expect((await readableState(page)).url).not.toContain('user_code');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('heading', { name: 'Tollgate CLI asks to act as you' }).waitFor();
        await expect(page.getByRole('checkbox', { name: 'admin' }).isChecked()).resolves.toBe(true);
        expect(await contrastFailures(page)).toEqual([]);
        expect(await unlabelledControls(page)).toEqual([]);
        await screenshot(page, 'device-sign-in');
        await page.getByRole('button', { name: 'Approve' }).click();
        await page
          .getByText(/Approved\. The CLI signs in as ada@example\.com with admin/)
          .first()
          .waitFor();
        expect(record.errors).toEqual([]);
        expect(record.cspViolations).toEqual([]);
      } finally {
        await context.close();
      }

      const signedIn = await login.done;
      expect(signedIn, signedIn.stderr).toMatchObject({ code: 0 });
      expect(signedIn.stdout).toContain('as ada@example.com');
      const consumer = JSON.parse(
        (await tollgate('consumers', 'create', '--name', 'Zapflow', '--contact', 'dev@zapflow.example', '--json').done)
          .stdout,
      );
      const created = await tollgate(
        'keys',
        'create',
        '--consumer',
        consumer.id,
        '--name',
        'sync',
        '--resource',
        CRM,
        '--scope',
        'contacts:read',
      ).done;
      expect(created, created.stderr).toMatchObject({ code: 0 });
      expect(created.stdout).toMatch(/^\s+tgk_live_\S+$/m);
    },
    40_000,
  );

  it('a wrong code is explained; a denied request says nothing was issued; at phone width too', async () => {
    const started = await auth.form('/oauth/device_authorization', { client_id: 'tollgate-cli', scope: 'admin' });
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn(page, 'grace@example.com');
      await page.goto(`${auth.issuer}/console/device`);
      await pageTitle(page, 'Device sign-in');
      await page.getByLabel('Code').fill('BCDF-GHJK');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page
        .getByText(/No sign-in waits for this code/)
        .first()
        .waitFor();

      await page.getByLabel('Code').fill(started.body.user_code.toLowerCase());
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Tollgate CLI asks to act as you' }).waitFor();
      // Grace holds no admin scope: nothing can be approved, only denied.
      await expect(page.getByRole('checkbox', { name: 'admin' }).isDisabled()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Approve' }).isDisabled()).resolves.toBe(true);
      await expect(page.getByText('You do not hold this scope, so it cannot be approved.').isVisible()).resolves.toBe(
        true,
      );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await screenshot(page, 'device-sign-in-mobile');
      await page.getByRole('button', { name: 'Deny' }).click();
      await page
        .getByText(/Denied\. Nothing was issued or registered/)
        .first()
        .waitFor();
      expect(record.cspViolations).toEqual([]);
      expect(record.errors).toEqual([]);
    } finally {
      await context.close();
    }
    const poll = await auth.form('/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: 'tollgate-cli',
      device_code: started.body.device_code,
    });
    expect(poll.body.error).toBe('access_denied');
  });
});
