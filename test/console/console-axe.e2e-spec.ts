import type { Browser, Page } from 'playwright-core';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import {
  type AxeViolation,
  axeViolations,
  describeInBrowser,
  launchBrowser,
  openConsole,
  pageTitle,
  signIn,
} from './console-browser.js';

const CRM = 'https://crm.tollgate.local';

/** Every console page, as its title reads. */
const PAGES: [path: string, title: string][] = [
  ['/console/tokens', 'Personal access tokens'],
  ['/console/device', 'Device sign-in'],
  ['/console/security', 'Sign-in and security'],
  ['/console/admin/overview', 'Overview'],
  ['/console/admin/applications', 'M2M applications and devices'],
  ['/console/admin/api-keys', 'API consumers and keys'],
  ['/console/admin/users', 'Users'],
  ['/console/admin/access', 'Resources and roles'],
  ['/console/admin/policies', 'Policies'],
  ['/console/admin/signing-keys', 'Signing keys'],
  ['/console/admin/audit', 'Audit log'],
  ['/console/admin/webhooks', 'Webhooks'],
  ['/console/admin/devices', 'Connected devices'],
];

const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** WCAG 2.2 AA as axe-core checks it, on every page of the console, wide and narrow, with data in its lists. */
describeInBrowser('console: axe-core finds no violations', () => {
  let browser: Browser;
  let auth: AuthServerHarness;

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    await auth.createResource(CRM, ['contacts:read', 'contacts:write']);
    await auth.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    await auth.createUser({ email: 'admin@example.com', displayName: 'Ada Admin', roles: ['admin', 'crm-reader'] });
    await auth.createClient({ name: 'service-a', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
    const consumer = (await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'dev@zapflow.example' }))
      .body;
    await auth.api('POST', `/api/consumers/${consumer.id}/keys`, {
      name: 'nightly sync',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    await auth.api('POST', '/api/webhooks', { url: 'https://hooks.example.com/tollgate', events: ['api-key.*'] });
    const admin = await auth.login('admin@example.com');
    await admin.createToken({ name: 'deploy script', scopes: ['contacts:read'] });
    // A refusal, so the audit log and the overview have one.
    await auth.tokenRequest({ grant_type: 'client_credentials' }, { id: 'nobody', secret: 'x'.repeat(32) });
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
  });

  async function violationsOn(page: Page): Promise<Record<string, AxeViolation[]>> {
    const found: Record<string, AxeViolation[]> = {};
    for (const [path, title] of PAGES) {
      await page.goto(auth.issuer + path);
      await pageTitle(page, title);
      await page.getByRole('status').filter({ hasText: 'Loading' }).waitFor({ state: 'detached' });
      const violations = await axeViolations(page);
      if (violations.length > 0) found[path] = violations;
    }
    return found;
  }

  it.each(VIEWPORTS)('on every page at $name width ($width px), and on the sign-in page', async (viewport) => {
    const { context, page } = await openConsole(browser, auth.issuer);
    try {
      await page.setViewportSize(viewport);
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      // The check can fail: an image without a text alternative is found.
      await page.evaluate(() =>
        document.getElementById('main')?.append(Object.assign(document.createElement('img'), { src: '/x.png' })),
      );
      expect((await axeViolations(page)).map((violation) => violation.id)).toEqual(['image-alt']);
      await page.evaluate(() => document.querySelector('img[src="/x.png"]')?.remove());
      await signIn(page, 'admin@example.com');
      expect(await violationsOn(page)).toEqual({});
    } finally {
      await context.close();
    }
  });
});
