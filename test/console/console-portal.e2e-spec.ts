import type { Browser } from 'playwright-core';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import {
  axeViolations,
  describeInBrowser,
  launchBrowser,
  openConsole,
  pageTitle,
  screenshot,
  signIn,
  statusMessage,
} from './console-browser.js';

const CRM = 'https://crm.tollgate.local';

/** The developer portal: the provider opens a consumer to its developer, who manages its keys on a phone. */
describeInBrowser('console: developer portal', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let consumerId: string;
  let devId: string;

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    await auth.createResource(CRM, ['contacts:read', 'contacts:write', 'contacts:delete']);
    await auth.createUser({ email: 'admin@example.com', displayName: 'Ada Admin', roles: ['admin'] });
    devId = (await auth.createUser({ email: 'dev@zapflow.example', displayName: 'Zoe Developer' })).id;
    consumerId = (await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'ops@zapflow.example' })).body
      .id;
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
  });

  it('the provider opens the portal and invites the developer, who creates, rolls and revokes a key at phone width', async () => {
    const admin = await openConsole(browser, auth.issuer);
    try {
      await signIn(admin.page, 'admin@example.com');
      await admin.page.goto(`${auth.issuer}/console/admin/api-keys?consumer=${consumerId}`);
      await pageTitle(admin.page, 'API consumers and keys');
      const panel = admin.page.getByRole('region', { name: 'Developer portal' });
      await panel.getByText(/^Closed\./).waitFor();
      await panel.getByRole('button', { name: 'Open the portal' }).click();
      const dialog = admin.page.getByRole('dialog', { name: 'Developer portal of Zapflow' });
      await dialog.getByRole('checkbox', { name: 'contacts:read' }).check();
      await dialog.getByLabel('Active keys at most').fill('2');
      await dialog.getByLabel('Rate-limit ceiling: requests').fill('100');
      await dialog.getByLabel('per seconds').fill('60');
      await dialog.getByRole('button', { name: 'Open the portal' }).click();
      await statusMessage(admin.page, /The developer portal of Zapflow is open/);
      expect((await auth.api('GET', `/api/consumers/${consumerId}/portal`)).body.limits).toEqual({
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        environments: ['test'],
        maxActiveKeys: 2,
        rateLimitCeiling: { requests: 100, perSeconds: 60 },
      });

      await panel.getByLabel('Invite by email').fill('nobody@zapflow.example');
      await panel.getByRole('button', { name: 'Invite' }).click();
      await panel
        .getByRole('alert')
        .filter({ hasText: /create the person/ })
        .waitFor();
      await panel.getByLabel('Invite by email').fill('dev@zapflow.example');
      await panel.getByRole('button', { name: 'Invite' }).click();
      await statusMessage(admin.page, /dev@zapflow.example is invited to Zapflow/);
      await panel.getByText('Zoe Developer').waitFor();
      expect(await axeViolations(admin.page)).toEqual([]);
      await screenshot(admin.page, 'portal-provider');
      expect(admin.record.errors.filter((error) => !/status of 404/.test(error))).toEqual([]);
      expect(admin.record.cspViolations).toEqual([]);
    } finally {
      await admin.context.close();
    }

    const dev = await openConsole(browser, auth.issuer);
    try {
      const { page } = dev;
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn(page, 'dev@zapflow.example');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Developer portal' }).click();
      await pageTitle(page, 'Developer portal');
      await page.getByText('At most 2 active keys').waitFor();
      await page.getByText('0 of 2 active keys.').waitFor();

      await page.getByRole('button', { name: 'Create a key' }).click();
      const form = page.getByRole('region', { name: 'Create a key for Zapflow' });
      await form.getByLabel('Name').fill('staging sync');
      // Only what the provider offers: contacts:read, test keys.
      expect(await form.getByRole('checkbox').count()).toBe(1);
      expect(await form.getByRole('radio').count()).toBe(1);
      await form.getByRole('checkbox', { name: 'contacts:read' }).check();
      await form.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('heading', { name: 'Copy your new API key now' }).waitFor();
      const created = await page.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
      expect(created).toMatch(/^tgk_test_/);
      await page.getByRole('button', { name: /I have copied it|Done/ }).click();

      await page.getByRole('button', { name: 'Roll staging sync' }).click();
      const roll = page.getByRole('dialog', { name: 'Roll the key “staging sync”?' });
      await roll.getByLabel(/keeps working for/).fill('0');
      await roll.getByRole('button', { name: 'Roll key' }).click();
      await statusMessage(page, /The key “staging sync” is rolled/);
      const rolled = await page.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
      expect(rolled).toMatch(/^tgk_test_/);
      expect(rolled).not.toBe(created);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'portal-developer-phone');
      await page.getByRole('button', { name: /I have copied it|Done/ }).click();

      await page.getByRole('button', { name: 'Revoke staging sync' }).click();
      await page
        .getByRole('dialog', { name: 'Revoke the key “staging sync”?' })
        .getByRole('button', { name: 'Revoke key' })
        .click();
      await statusMessage(page, /The key “staging sync” is revoked/);
      await page.getByText('0 of 2 active keys.').waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // Each step is in the audit log under the developer's name.
      const actions = (await auth.api('GET', `/api/audit?actor=${devId}&action=api-key.*`)).body.items.map(
        (event: { action: string }) => event.action,
      );
      expect(actions).toEqual(['api-key.revoked', 'api-key.rolled', 'api-key.created']);
      // The old key stopped at once; the new one is revoked.
      const keys = (await auth.api('GET', `/api/consumers/${consumerId}/keys`)).body as { status: string }[];
      expect(keys.map((key) => key.status).sort()).toEqual(['expired', 'revoked']);
      expect([...dev.record.errors, ...dev.record.cspViolations]).toEqual([]);
    } finally {
      await dev.context.close();
    }
  });

  it('someone not invited sees an explanation and nothing else', async () => {
    await auth.createUser({ email: 'bob@example.com' });
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'bob@example.com');
      await page.goto(`${auth.issuer}/console/portal?consumer=${consumerId}`);
      await pageTitle(page, 'Developer portal');
      await page.getByText('You have not been invited to an API consumer.').waitFor();
      expect(await page.getByText('Zapflow').count()).toBe(0);
      expect([...record.errors, ...record.cspViolations]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
