import type { Browser, Page } from 'playwright-core';
import { AuthServerHarness } from '../support/auth-server.harness.js';
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

const BILLING = 'https://billing.example.com';
const PHONE = { width: 390, height: 844 };

/**
 * Resources and roles managed from the console, clients other services depend on guarded against a
 * slip, and the console on a phone: navigation behind a Menu button, list rows as cards.
 */
describeInBrowser('console: resources, roles, protected clients, phone layout', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let resourceServer: { id: string };

  beforeAll(async () => {
    [browser, auth] = await Promise.all([launchBrowser(), AuthServerHarness.start()]);
    await auth.createUser({ email: 'admin@example.com', displayName: 'Ada Admin', roles: ['admin'] });
    await auth.createUser({ email: 'bob@example.com', displayName: 'Bob Builder' });
    resourceServer = await auth.createClient({
      name: 'service-b',
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect', 'revocations:read'] }],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
  });

  async function signedInAdmin(viewport?: { width: number; height: number }) {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    if (viewport) await page.setViewportSize(viewport);
    await signIn(page, 'admin@example.com');
    return { page, close: () => context.close(), errors: () => [...record.errors, ...record.cspViolations] };
  }

  async function openAdminPage(page: Page, link: string, title: string) {
    // On a phone the navigation opens from the Menu button first.
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: link }).click();
    await pageTitle(page, title);
  }

  it('registers a resource, creates a role on it, edits both, and the role reaches a user', async () => {
    const { page, close, errors } = await signedInAdmin();
    try {
      await openAdminPage(page, 'Resources and roles', 'Resources and roles');
      // The management API is listed, built in, with nothing to edit or delete.
      const resources = page.getByRole('table', { name: 'Resources' });
      const builtIn = resources.getByRole('row').filter({ hasText: auth.managementApi });
      await builtIn.getByText('built in').waitFor();
      expect(await builtIn.getByRole('button').count()).toBe(0);

      await page.getByRole('button', { name: 'Register a resource' }).click();
      const form = page.getByRole('region', { name: 'Register a resource' });
      await form.getByLabel('Resource indicator').fill('not a url');
      await form.getByLabel('Name').fill('Billing API');
      await form.getByLabel('Scopes').fill('invoices:read, invoices:write');
      await form.getByRole('button', { name: 'Register resource' }).click();
      await form
        .getByRole('alert')
        .filter({ hasText: /indicator/ })
        .waitFor();
      expect(
        (await auth.api('GET', '/api/resources')).body.map((r: { indicator: string }) => r.indicator),
      ).not.toContain('not a url');

      await form.getByLabel('Resource indicator').fill(BILLING);
      await form.getByLabel('Access-token lifetime (seconds)').fill('600');
      await form.getByLabel('Tokens for this API').selectOption('dpop');
      await form.getByRole('button', { name: 'Register resource' }).click();
      await statusMessage(page, /Billing API \(https:\/\/billing\.example\.com\) is registered/);
      const billing = (await auth.api('GET', '/api/resources')).body.find(
        (r: { indicator: string }) => r.indicator === BILLING,
      );
      expect(billing).toMatchObject({
        name: 'Billing API',
        scopes: ['invoices:read', 'invoices:write'],
        accessTokenTtl: 600,
        requiredBinding: 'dpop',
      });

      await page.getByRole('button', { name: 'Edit Billing API' }).click();
      const editResource = page.getByRole('dialog', { name: 'Edit Billing API' });
      await editResource.getByLabel('Scopes').fill('invoices:read invoices:write invoices:refund');
      await editResource.getByRole('button', { name: 'Save resource' }).click();
      await statusMessage(page, /Billing API is saved/);
      expect((await auth.api('GET', `/api/resources/${billing.id}`)).body.scopes).toEqual([
        'invoices:read',
        'invoices:write',
        'invoices:refund',
      ]);

      await page.getByRole('button', { name: 'Create a role' }).click();
      const roleForm = page.getByRole('region', { name: 'Create a role' });
      await roleForm.getByLabel('Name', { exact: true }).fill('billing-clerk');
      await roleForm.getByLabel('Description').fill('Reads invoices');
      await roleForm
        .getByRole('group', { name: /Billing API/ })
        .getByRole('checkbox', { name: 'invoices:read' })
        .check();
      await roleForm.getByRole('button', { name: 'Create role' }).click();
      await statusMessage(page, /The role billing-clerk is created/);
      const clerk = () =>
        auth
          .api('GET', '/api/roles')
          .then((r) => r.body.find((role: { name: string }) => role.name === 'billing-clerk'));
      expect((await clerk()).grants).toEqual([{ resource: BILLING, scopes: ['invoices:read'] }]);

      await page.getByRole('button', { name: 'Edit billing-clerk' }).click();
      const editRole = page.getByRole('dialog', { name: 'Edit the role billing-clerk' });
      await editRole.getByRole('checkbox', { name: 'invoices:refund' }).check();
      await editRole.getByRole('button', { name: 'Save role' }).click();
      await statusMessage(page, /The role billing-clerk is saved/);
      expect((await clerk()).grants).toEqual([{ resource: BILLING, scopes: ['invoices:read', 'invoices:refund'] }]);

      // Given to a user on the Users page, the role's scopes are theirs.
      await openAdminPage(page, 'Users', 'Users');
      await page.getByRole('button', { name: 'Roles of bob@example.com' }).click();
      const roles = page.getByRole('dialog', { name: 'Roles of bob@example.com' });
      await roles.getByRole('checkbox', { name: 'billing-clerk' }).check();
      await roles.getByRole('button', { name: 'Save roles' }).click();
      await statusMessage(page, /The roles of bob@example.com are saved/);
      const bob = await auth.login('bob@example.com');
      expect((await bob.request('GET', '/api/me')).body.permissions).toContainEqual({
        resource: BILLING,
        scopes: ['invoices:read', 'invoices:refund'],
      });

      await openAdminPage(page, 'Resources and roles', 'Resources and roles');
      await page.getByRole('button', { name: 'Delete billing-clerk' }).click();
      await page
        .getByRole('dialog', { name: 'Delete the role billing-clerk?' })
        .getByRole('button', { name: 'Delete role' })
        .click();
      await statusMessage(page, /The role billing-clerk is deleted/);
      expect(await clerk()).toBeUndefined();
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await contrastFailures(page)).toEqual([]);
      await screenshot(page, 'resources-and-roles');
      // The one refused call was the indicator that is not a URL.
      expect(errors()).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    } finally {
      await close();
    }
  });

  it('asks for the client id before deleting or disabling a client a resource server or the admin runs as', async () => {
    const { page, close, errors } = await signedInAdmin();
    try {
      await openAdminPage(page, 'Applications and devices', 'M2M applications and devices');
      await page.getByRole('button', { name: 'Delete service-b' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete “service-b”?' });
      await dialog.getByText(/A resource server or the MQTT broker runs as this client/).waitFor();
      await dialog.getByLabel(`Type ${resourceServer.id} to confirm`).fill('service-b?');
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await dialog
        .getByRole('alert')
        .filter({ hasText: /Type the client id .* exactly to confirm/ })
        .waitFor();
      expect((await auth.api('GET', `/api/clients/${resourceServer.id}`)).status).toBe(200);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // The bootstrap admin: disabling it says what stops, and needs its id typed too.
      await page.getByRole('button', { name: 'Disable Bootstrap admin' }).click();
      const disable = page.getByRole('dialog', { name: 'Disable “Bootstrap admin”?' });
      await disable.getByText(/holds the admin scope on the management API/).waitFor();
      await disable.getByLabel(/^Type .* to confirm$/).fill('admin');
      await disable.getByRole('button', { name: 'Disable' }).click();
      await disable
        .getByRole('alert')
        .filter({ hasText: /Type the client id .* exactly to confirm/ })
        .waitFor();
      await disable.getByRole('button', { name: 'Cancel' }).click();
      expect((await auth.api('GET', '/api/clients')).status).toBe(200);
      // Cancelling did nothing: the bootstrap admin still gets tokens (the call above used one).
      expect(
        (await auth.api('GET', '/api/clients')).body.find((c: { name: string }) => c.name === 'Bootstrap admin')
          .disabled,
      ).toBe(false);

      // An ordinary client is deleted with one confirmation, as before.
      const plain = await auth.createClient({ name: 'nightly report', grants: [] });
      await page.reload();
      await page.getByRole('button', { name: 'Delete nightly report' }).click();
      const plainDialog = page.getByRole('dialog', { name: 'Delete “nightly report”?' });
      expect(await plainDialog.getByRole('textbox').count()).toBe(0);
      await plainDialog.getByRole('button', { name: 'Delete' }).click();
      await statusMessage(page, /“nightly report” is deleted/);
      expect((await auth.api('GET', `/api/clients/${plain.id}`)).status).toBe(404);

      // Typed right, the protected client goes.
      await page.getByRole('button', { name: 'Delete service-b' }).click();
      await dialog.getByLabel(`Type ${resourceServer.id} to confirm`).fill(resourceServer.id);
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await statusMessage(page, /“service-b” is deleted/);
      expect((await auth.api('GET', `/api/clients/${resourceServer.id}`)).status).toBe(404);
      expect(errors()).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the overview and finds a consumer, a key by its visible prefix and a user, at desktop and phone width', async () => {
    const consumer = (await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'dev@zapflow.example' }))
      .body;
    const key = (
      await auth.api('POST', `/api/consumers/${consumer.id}/keys`, {
        name: 'nightly sync',
        grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect'] }],
        expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      })
    ).body;
    const { page, close, errors } = await signedInAdmin();
    const searches: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/search')) searches.push(request.postData() ?? '');
    });
    try {
      await openAdminPage(page, 'Overview', 'Overview');
      const credentials = page.getByRole('region', { name: 'Credentials' });
      await credentials.getByRole('heading', { name: 'API keys' }).waitFor();
      const expiring = page.getByRole('region', { name: 'Expiring within 7 days' });
      await expiring
        .getByRole('row')
        .filter({ hasText: 'nightly sync' })
        .getByRole('link', { name: 'Zapflow' })
        .waitFor();
      await page.getByRole('region', { name: 'Refused in the last 24 hours' }).waitFor();

      const search = page.getByRole('search');
      // A whole secret is refused before anything is sent.
      await search.getByLabel('Search').fill(key.key);
      await search.getByRole('button', { name: 'Search' }).click();
      await search
        .getByRole('alert')
        .filter({ hasText: /looks like a secret/ })
        .waitFor();
      expect(searches).toEqual([]);

      await search.getByLabel('Search').fill(key.displayPrefix);
      await search.getByRole('button', { name: 'Search' }).click();
      await statusMessage(page, /1 found for/);
      const hit = page.getByRole('row').filter({ hasText: 'nightly sync' }).filter({ hasText: 'API key' });
      await hit.getByText('of Zapflow').waitFor();
      expect(searches).toEqual([JSON.stringify({ q: key.displayPrefix })]);

      await search.getByLabel('Search').fill('bob@');
      await search.getByRole('button', { name: 'Search' }).click();
      await statusMessage(page, /1 found for “bob@”/);
      await page.getByRole('link', { name: 'Open Bob Builder' }).click();
      await pageTitle(page, 'Users');
      expect(new URL(page.url()).searchParams.get('user')).toBeTruthy();
      await screenshot(page, 'overview-followed-to-users');

      await openAdminPage(page, 'Overview', 'Overview');
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await contrastFailures(page)).toEqual([]);
      await screenshot(page, 'overview');
      await page.setViewportSize(PHONE);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'overview-phone');
      expect(errors()).toEqual([]);
    } finally {
      await close();
    }
  });

  it('sets the token policy on the Policies page at phone width, and people read it', async () => {
    const { page, close, errors } = await signedInAdmin(PHONE);
    try {
      await openAdminPage(page, 'Policies', 'Policies');
      const form = page.getByRole('form', { name: 'Personal access tokens' });
      expect(await form.getByLabel('Longest lifetime (days)').inputValue()).toBe('90');
      await form.getByLabel('Longest lifetime (days)').fill('0');
      await form.getByRole('button', { name: 'Save policy' }).click();
      // The browser refuses it before anything is sent.
      expect(
        await form
          .getByLabel('Longest lifetime (days)')
          .evaluate((input) => (input as HTMLInputElement).validity.valid),
      ).toBe(false);
      expect((await auth.api('GET', '/api/settings/pat-policy')).body.maxLifetimeDays).toBe(90);
      await form.getByLabel('Longest lifetime (days)').fill('30');
      await form.getByLabel('Warn owners before expiry (days)').fill('10');
      await form.getByRole('button', { name: 'Save policy' }).click();
      await statusMessage(page, /at most 30 days, owners warned 10 days ahead/);
      expect((await auth.api('GET', '/api/settings/pat-policy')).body).toEqual({
        maxLifetimeDays: 30,
        allowNoExpiry: false,
        expiryWarningDays: 10,
      });
      const bob = await auth.login('bob@example.com');
      expect((await bob.request('GET', '/api/me/tokens/policy')).body).toMatchObject({ maxLifetimeDays: 30 });
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(errors()).toEqual([]);
    } finally {
      await auth.api('PUT', '/api/settings/pat-policy', {
        maxLifetimeDays: 90,
        allowNoExpiry: false,
        expiryWarningDays: 7,
      });
      await close();
    }
  });

  it('edits a role and registers a resource at phone width, the lists as cards', async () => {
    await auth.createResource('https://phone.example.com', ['a:read', 'a:write']);
    await auth.createRole('phone-reader', [{ resource: 'https://phone.example.com', scopes: ['a:read'] }]);
    const { page, close, errors } = await signedInAdmin(PHONE);
    try {
      await openAdminPage(page, 'Resources and roles', 'Resources and roles');
      const edit = page.getByRole('button', { name: 'Edit phone-reader' });
      const box = await edit.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
      await edit.click();
      const dialog = page.getByRole('dialog', { name: 'Edit the role phone-reader' });
      await dialog
        .getByRole('group', { name: /phone\.example\.com/ })
        .getByRole('checkbox', { name: 'a:write' })
        .check();
      await dialog.getByRole('button', { name: 'Save role' }).click();
      await statusMessage(page, /The role phone-reader is saved/);
      const role = (await auth.api('GET', '/api/roles')).body.find((r: { name: string }) => r.name === 'phone-reader');
      expect(role.grants).toEqual([{ resource: 'https://phone.example.com', scopes: ['a:read', 'a:write'] }]);

      await page.getByRole('button', { name: 'Register a resource' }).click();
      const form = page.getByRole('region', { name: 'Register a resource' });
      await form.getByLabel('Resource indicator').fill('https://tablet.example.com');
      await form.getByLabel('Name').fill('Tablet API');
      await form.getByLabel('Scopes').fill('t:read');
      await form.getByRole('button', { name: 'Register resource' }).click();
      await statusMessage(page, /Tablet API \(https:\/\/tablet\.example\.com\) is registered/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'resources-and-roles-phone');
      expect(errors()).toEqual([]);
    } finally {
      await close();
    }
  });

  it('on a phone, the page starts at its heading, the navigation opens from Menu, and rows are cards', async () => {
    await auth.createClient({ name: 'thermostat with a long descriptive name', kind: 'device', grants: [] });
    const { page, close, errors } = await signedInAdmin(PHONE);
    try {
      const menu = page.getByRole('button', { name: 'Menu' });
      const nav = page.getByRole('navigation', { name: 'Console' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await nav.isVisible()).toBe(false);
      // The page's heading is in the first screen, not below a list of links.
      const heading = await page.getByRole('heading', { level: 1 }).boundingBox();
      expect(heading!.y + heading!.height).toBeLessThan(PHONE.height / 2);

      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await nav.getByRole('link', { name: 'Applications and devices' }).click();
      await pageTitle(page, 'M2M applications and devices');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await nav.isVisible()).toBe(false);

      // Each row is a card: its actions inside the screen, nothing scrolls sideways.
      const row = page.getByRole('row').filter({ hasText: 'thermostat with a long descriptive name' });
      for (const name of ['Scopes', 'Delete']) {
        const box = await row.getByRole('button', { name: new RegExp(`^${name} `) }).boundingBox();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      // Each cell says which column it is.
      expect(await row.locator('td[data-label="Scopes"]').count()).toBe(1);

      // Escape closes the open menu and gives the focus back to its button.
      await menu.click();
      await nav.getByRole('link').first().waitFor();
      await page.keyboard.press('Escape');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('menu-toggle');
      await screenshot(page, 'applications-phone');
      expect(await contrastFailures(page)).toEqual([]);

      // Wide again, the navigation is always there and the button is not.
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(await nav.isVisible()).toBe(true);
      expect(await menu.isVisible()).toBe(false);
      expect(errors()).toEqual([]);
    } finally {
      await close();
    }
  });
});
