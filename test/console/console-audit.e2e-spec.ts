import type { Browser } from 'playwright-core';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM } from '../support/service-b.harness.js';
import {
  contrastFailures,
  describeInBrowser,
  launchBrowser,
  openConsole,
  pageTitle,
  screenshot,
  signIn,
  statusMessage,
  unlabelledControls,
} from './console-browser.js';

/**
 * Issue 14 item 4: the audit log as one line per event, its details in a panel, downloadable with
 * the same filters, followed live, and usable at phone width.
 */
describeInBrowser('console: audit log', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let reader: { id: string; secret: string };

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    await auth.createResource(CRM, ['contacts:read']);
    await auth.createUser({ email: 'admin@example.com', roles: ['admin'] });
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    for (let i = 0; i < 60; i++) await auth.token(reader.id, reader.secret, { resource: CRM });
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
  });

  it('shows one line per event, its details in a panel, and downloads what the filters select', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'admin@example.com');
      await page.goto(`${auth.issuer}/console/admin/audit?action=token.issued&actor=${reader.id}`);
      await pageTitle(page, 'Audit log');
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(50);

      const [newest] = (await auth.api('GET', `/api/audit?action=token.issued&actor=${reader.id}&limit=1`)).body.items;
      const opener = rows.first().getByRole('button', { name: /^Details of token.issued/ });
      await opener.click();
      const panel = page.locator('.audit-drawer');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H3');
      await panel.getByText(newest.credential.id).waitFor();
      expect(await panel.locator('pre').textContent()).toContain(`"aud": "${CRM}"`);
      await panel.getByRole('button', { name: 'Close' }).click();
      expect(await panel.isHidden()).toBe(true);
      expect(await opener.evaluate((button) => button === document.activeElement)).toBe(true);

      const csv = page.getByRole('link', { name: 'CSV' });
      const href = (await csv.getAttribute('href'))!;
      expect(href).toContain('action=token.issued');
      expect(href).toContain('format=csv');
      const download = await page.request.get(auth.issuer + href);
      expect(download.status()).toBe(200);
      const lines = (await download.text()).trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^id,occurredAt,action,/);
      expect(lines).toHaveLength(61);

      await screenshot(page, 'admin-audit-desktop');
      expect(await contrastFailures(page)).toEqual([]);
      expect(await unlabelledControls(page)).toEqual([]);

      // At phone width: one short line per event, the actor and credential in the panel only.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.getByRole('columnheader', { name: 'Actor' }).isHidden()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // Every line's Details button is on screen, not scrolled off to the right.
      const button = (await rows
        .first()
        .getByRole('button', { name: /^Details of/ })
        .boundingBox())!;
      expect(button.x + button.width).toBeLessThanOrEqual(390);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      // 50 events were 18,000 px tall with a details column; a short line each is about a third of that.
      expect(height).toBeLessThan(8_000);
      await screenshot(page, 'admin-audit-mobile');
      expect(await contrastFailures(page)).toEqual([]);
      expect([...record.errors, ...record.cspViolations]).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('follows new events live when asked', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'admin@example.com');
      await page.goto(`${auth.issuer}/console/admin/audit?action=token.issued`);
      await pageTitle(page, 'Audit log');
      const before = await page.locator('tbody tr').count();
      await page.getByRole('checkbox', { name: 'Show new events as they happen' }).check();
      await auth.token(reader.id, reader.secret, { resource: CRM });
      await statusMessage(page, /\b1 new event\./);
      expect(await page.locator('tbody tr').count()).toBe(before + 1);
      expect([...record.errors, ...record.cspViolations]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
