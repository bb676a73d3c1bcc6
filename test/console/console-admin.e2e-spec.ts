import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { connectDevice, endAll } from '../support/mqtt-test-client.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';
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

const IOT = 'https://iot.tollgate.local';

/** An administrator's console: API consumers and keys, applications and devices, users, signing keys, audit. */
describeInBrowser('console: administration', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let broker: TestIotBroker;
  const mqttClients: MqttClient[] = [];

  beforeAll(async () => {
    const brokerPort = await freePort();
    [browser, auth] = await Promise.all([
      launchBrowser(),
      AuthServerHarness.start({ env: { IOT_BROKER_HEALTH_URL: `http://127.0.0.1:${brokerPort}/health` } }),
    ]);
    crm = await ServiceBHarness.start(auth);
    await auth.createResource(IOT, ['device', 'devices:read:*']);
    broker = await startTestIotBroker(auth, {
      MQTT_WS_PORT: String(brokerPort),
      RESOURCE_INDICATOR: IOT,
      HEALTH_SHOW_DEVICES: 'true',
    });
    await auth.createRole('crm-editor', [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }]);
    await auth.createUser({ email: 'admin@example.com', displayName: 'Ada Admin', roles: ['admin'] });
    await eventually(async () =>
      expect((await crm.request('GET', '/health')).body.authentication.revocationFeed).toBe('connected'),
    );
  });
  afterAll(async () => {
    await endAll(...mqttClients);
    await browser?.close();
    await broker?.close();
    await crm?.stop();
    await auth?.stop();
  });

  async function signedInAdmin(): Promise<{
    page: Page;
    close: () => Promise<void>;
    errors: () => string[];
    requestUrls: string[];
  }> {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    await signIn(page, 'admin@example.com');
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    return {
      page,
      close: () => context.close(),
      errors: () => [...record.errors, ...record.cspViolations],
      requestUrls: record.requestUrls,
    };
  }

  it('creates an API key, rolls it, revokes it, charts its usage, and the audit log shows each step', async () => {
    const { page, close, errors, requestUrls } = await signedInAdmin();
    try {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'API keys' }).click();
      await pageTitle(page, 'API consumers and keys');
      await page.getByText('No API consumers yet.').waitFor();

      await page.getByRole('button', { name: 'Register a consumer' }).click();
      const consumerForm = page.getByRole('region', { name: 'Register an API consumer' });
      await consumerForm.getByLabel('Name').fill('Zapflow integration');
      await consumerForm.getByLabel('Contact email').fill('integrations@zapflow.example');
      await consumerForm.getByRole('button', { name: 'Register consumer' }).click();
      await statusMessage(page, /“Zapflow integration” is registered/);
      await page.getByRole('heading', { name: 'Keys of Zapflow integration' }).waitFor();

      // A restricted key: contacts:read on the CRM only.
      await page.getByRole('button', { name: 'Create a key' }).click();
      const keyForm = page.getByRole('region', { name: 'Create a key for Zapflow integration' });
      await keyForm.getByLabel('Name', { exact: true }).fill('Production sync');
      await keyForm.getByRole('checkbox', { name: 'contacts:read' }).check();
      await keyForm.getByLabel('Rate limit: requests').fill('100');
      await keyForm.getByLabel('per seconds').fill('60');
      await keyForm.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('heading', { name: 'Copy your new API key now' }).waitFor();
      const key = await page.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
      expect(key).toMatch(/^tgk_live_/);
      for (let i = 0; i < 3; i += 1) expect((await crm.bearer(key)).status).toBe(200);
      expect((await crm.bearer(key, 'POST', '/contacts', { name: 'Eve', email: 'eve@example.com' })).status).toBe(403);
      const consumers = (await auth.api('GET', '/api/consumers')).body;
      const [original] = (await auth.api('GET', `/api/consumers/${consumers[0].id}/keys`)).body;
      expect(original).toMatchObject({
        name: 'Production sync',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        rateLimit: { requests: 100, perSeconds: 60 },
      });

      // Roll with no overlap: the old key stops at once, the new one (shown once) works.
      await page.getByRole('button', { name: 'Roll Production sync' }).click();
      const roll = page.getByRole('dialog', { name: 'Roll the key “Production sync”?' });
      await roll.getByLabel('The old key keeps working for (minutes)').fill('0');
      await roll.getByRole('button', { name: 'Roll key' }).click();
      await statusMessage(page, /is rolled/);
      const rolled = await page.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
      expect(rolled).toMatch(/^tgk_live_/);
      expect(rolled).not.toBe(key);
      await eventually(async () => expect((await crm.bearer(key)).status).toBe(401));
      expect((await crm.bearer(rolled)).status).toBe(200);

      // Revoke the new key.
      const row = page.locator('tbody tr', { hasText: rolled.slice(0, 13) });
      await row.getByRole('button', { name: 'Revoke Production sync' }).click();
      await page
        .getByRole('dialog', { name: 'Revoke the key “Production sync”?' })
        .getByRole('button', { name: 'Revoke key' })
        .click();
      await statusMessage(page, /The key “Production sync” is revoked/);
      await eventually(async () => expect((await crm.bearer(rolled)).status).toBe(401));
      await page.getByText('No active keys.').waitFor();

      // Usage per key, as an inline SVG chart (service-b reports in batches: wait for them).
      const usage = page.locator('.usage-key', { hasText: key.slice(0, 13) });
      await eventually(
        async () => {
          await page.reload();
          await page.getByLabel(/Show revoked and expired keys/).check();
          const label = (await usage.getByRole('img').getAttribute('aria-label')) ?? '';
          expect(
            Number(/^(\d+) requests? with the key Production sync in the last 14 days/.exec(label)?.[1]),
          ).toBeGreaterThanOrEqual(4);
        },
        25_000,
        500,
      );
      expect(await usage.locator('svg rect.bar-2xx').count()).toBe(1);
      expect(await usage.locator('svg rect.bar-4xx').count()).toBe(1);
      // The same numbers as a table (in a <details>): day, 2xx, 3xx, 4xx, 5xx, total.
      const [day, ok, , refused] = await usage.locator('details tbody tr').first().locator('th, td').allTextContents();
      expect(day).toBe(new Date().toISOString().slice(0, 10));
      expect(Number(ok)).toBe(3);
      expect(Number(refused)).toBeGreaterThanOrEqual(1);
      await screenshot(page, 'admin-api-keys');
      expect(await contrastFailures(page)).toEqual([]);
      expect(await unlabelledControls(page)).toEqual([]);

      // The audit log, from the key's row (filtered by the credential), then by action.
      await page
        .locator('tbody tr', { hasText: key.slice(0, 13) })
        .getByRole('link', { name: 'Audit log of Production sync' })
        .click();
      await pageTitle(page, 'Audit log');
      expect(new URL(page.url()).searchParams.get('credential')).toBe(original.id);
      const events = page.locator('tbody tr');
      await events.filter({ hasText: 'api-key.rolled' }).waitFor();
      await events.filter({ hasText: 'api-key.created' }).waitFor();

      await page.getByLabel('Credential id').fill('');
      await page.getByLabel('Action').fill('api-key.*');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await statusMessage(page, /events? match the filters/);
      const actions = await page.locator('tbody tr td:nth-child(2) > span > code').allTextContents();
      // Newest first; the refused uses of the old keys are there too.
      expect(actions.filter((action) => action !== 'api-key.use.denied')).toEqual([
        'api-key.revoked',
        'api-key.rolled',
        'api-key.created',
      ]);
      expect(actions).toContain('api-key.use.denied');
      await screenshot(page, 'admin-audit');
      expect(await contrastFailures(page)).toEqual([]);

      // Pages of one event: "Load older events" follows nextCursor and keeps the reader's place.
      const expected = (await auth.api('GET', `/api/audit?credential=${original.id}&limit=2`)).body.items.map(
        (event: { action: string }) => event.action,
      );
      await page.goto(`${auth.issuer}/console/admin/audit?credential=${original.id}&limit=1`);
      await pageTitle(page, 'Audit log');
      expect(await page.locator('tbody tr td:nth-child(2) > span > code').allTextContents()).toEqual(
        expected.slice(0, 1),
      );
      await page.getByRole('button', { name: 'Load older events' }).click();
      await statusMessage(page, /1 older event loaded/);
      expect(await page.locator('tbody tr td:nth-child(2) > span > code').allTextContents()).toEqual(expected);
      expect(await page.evaluate(() => document.activeElement?.closest('tr')?.rowIndex)).toBe(2);

      // A secret pasted as a filter never reaches a URL.
      await page.getByLabel('Credential id').fill(key);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('form .error-summary').filter({ hasText: 'That looks like a secret' }).waitFor();
      expect(await page.getByLabel('Credential id').getAttribute('aria-invalid')).toBe('true');
      for (const url of [page.url(), ...requestUrls]) {
        expect(url).not.toContain(key);
        expect(url).not.toContain(rolled);
      }
      expect(errors()).toEqual([]);
    } finally {
      await close();
    }
  });

  it('registers a device, shows its secret once, sees it connected on the broker, and rotates its secret', async () => {
    const { page, close, errors } = await signedInAdmin();
    try {
      await page.getByRole('link', { name: 'Applications and devices' }).click();
      await pageTitle(page, 'M2M applications and devices');
      await page.getByRole('button', { name: 'Register an application or device' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Living-room thermostat');
      await page.getByRole('radio', { name: /Device/ }).check();
      await page.getByLabel('Client id').fill('thermostat-1');
      await page.getByRole('checkbox', { name: 'device', exact: true }).check();
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.getByRole('heading', { name: 'Copy your new client secret now' }).waitFor();
      const secret = await page.getByRole('textbox', { name: 'Client secret', exact: true }).inputValue();
      expect(secret).toMatch(/^tgs_/);

      const jwt = await auth.token('thermostat-1', secret, { resource: IOT });
      mqttClients.push(await connectDevice(broker.mqttUrl, { clientId: 'thermostat-1', password: jwt }));

      await page.getByRole('link', { name: 'Connected devices' }).click();
      await pageTitle(page, 'Connected devices');
      const device = page.locator('tbody tr', { hasText: 'thermostat-1' });
      await device.getByText('connected', { exact: true }).waitFor();
      await screenshot(page, 'admin-devices');
      expect(await contrastFailures(page)).toEqual([]);

      // Rotate with no overlap: the old secret stops, the new one (shown once) works.
      await page.getByRole('link', { name: 'Applications and devices' }).click();
      await page.getByRole('button', { name: 'Rotate secret of Living-room thermostat' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate the secret of “Living-room thermostat”?' });
      await dialog.getByLabel('Current secrets keep working for (minutes)').fill('0');
      await dialog.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('heading', { name: 'Copy your new client secret now' }).waitFor();
      const rotated = await page.getByRole('textbox', { name: 'Client secret', exact: true }).inputValue();
      expect(rotated).not.toBe(secret);
      expect(
        (await auth.tokenRequest({ grant_type: 'client_credentials', resource: IOT }, { id: 'thermostat-1', secret }))
          .body,
      ).toMatchObject({ error: 'invalid_client' });
      expect(await auth.token('thermostat-1', rotated, { resource: IOT })).toBeTruthy();

      // Require DPoP (RFC 9449), then certificate binding (RFC 8705): from then on the client gets no bearer token.
      const chooseBinding = async (label: RegExp) => {
        await page.getByRole('button', { name: 'Token binding of Living-room thermostat' }).click();
        const dialog = page.getByRole('dialog', { name: 'Token binding of “Living-room thermostat”' });
        await dialog.getByRole('radio', { name: label }).check();
        await dialog.getByRole('button', { name: 'Save binding' }).click();
        await dialog.waitFor({ state: 'hidden' });
      };
      const row = page.locator('tbody tr', { hasText: 'thermostat-1' });
      const plainRequest = async () =>
        (
          await auth.tokenRequest(
            { grant_type: 'client_credentials', resource: IOT },
            { id: 'thermostat-1', secret: rotated },
          )
        ).body;
      await chooseBinding(/^DPoP-bound tokens only/);
      await row.getByText('DPoP-bound tokens only').waitFor();
      expect(await plainRequest()).toMatchObject({ error: 'invalid_dpop_proof' });
      await chooseBinding(/^Certificate-bound tokens only/);
      await row.getByText('certificate-bound tokens only').waitFor();
      expect(await plainRequest()).toMatchObject({
        error: 'invalid_request',
        error_description: /mTLS token endpoint/,
      });
      await chooseBinding(/^Bearer or bound tokens/);
      await row.getByText('bearer or bound tokens').waitFor();
      expect(await auth.token('thermostat-1', rotated, { resource: IOT })).toBeTruthy();
      await screenshot(page, 'admin-applications');
      expect(await contrastFailures(page)).toEqual([]);
      expect(await unlabelledControls(page)).toEqual([]);
      expect(errors()).toEqual([]);

      // tls_client_auth asks for the name the CA puts in the certificate, and says why it cannot be used here.
      await page.getByRole('button', { name: 'Register an application or device' }).click();
      await page.getByLabel('Name', { exact: true }).fill('CA-certified thermostat');
      expect(await page.getByLabel('Name in its certificate').isHidden()).toBe(true);
      await page.getByLabel('Authentication').selectOption('tls_client_auth');
      expect(await page.getByLabel('Secret lifetime (days)').isHidden()).toBe(true);
      await page.getByLabel('Its certificate names it by').selectOption('tlsClientAuthSanDns');
      await page.getByLabel('Name in its certificate').fill('thermostat-9.devices.example');
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.locator('form .error-summary').filter({ hasText: 'TLS_CLIENT_CA_FILE' }).waitFor();
      // The refused registration is the only failed request.
      expect(errors()).toEqual([expect.stringMatching(/status of 400/)]);
    } finally {
      await close();
    }
  });

  it('creates and disables a user, and rotates the signing keys', async () => {
    const { page, close, errors } = await signedInAdmin();
    try {
      await page.getByRole('link', { name: 'Users' }).click();
      await pageTitle(page, 'Users');
      await page.getByRole('button', { name: 'Create a user' }).click();
      await page.getByLabel('Email').fill('sam@example.com');
      await page.getByLabel('Display name').fill('Sam Sales');
      await page.getByLabel('Initial password').fill('a long enough password');
      await page.getByRole('checkbox', { name: 'crm-editor' }).check();
      await page.getByRole('button', { name: 'Create user' }).click();
      await statusMessage(page, /The person sam@example.com is created/);
      await page.getByRole('button', { name: 'Disable sam@example.com' }).click();
      await page
        .getByRole('dialog', { name: 'Disable sam@example.com?' })
        .getByRole('button', { name: 'Disable user' })
        .click();
      await statusMessage(page, /sam@example.com is disabled/);
      const users = (await auth.api('GET', '/api/users?email=sam@example.com')).body;
      expect(users).toMatchObject([{ email: 'sam@example.com', disabled: true, roles: ['crm-editor'] }]);
      expect((await auth.signIn('sam@example.com', 'a long enough password')).status).toBe(401);
      await screenshot(page, 'admin-users');
      expect(await contrastFailures(page)).toEqual([]);

      await page.getByRole('link', { name: 'Signing keys' }).click();
      await pageTitle(page, 'Signing keys');
      const before = (await auth.api('GET', '/api/signing-keys')).body.find(
        (k: { state: string }) => k.state === 'next',
      ).kid;
      await page.getByRole('button', { name: 'Rotate signing keys' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate the signing keys?' });
      // The next key was published when the server started: too recently for a scheduled rotation.
      await dialog.getByRole('button', { name: 'Rotate keys' }).click();
      await dialog
        .locator('.error-summary[role="alert"]')
        .filter({
          hasText: /The next key was published \d+ s ago.*"immediately": true if the current key is compromised/,
        })
        .waitFor();
      expect(
        (await auth.api('GET', '/api/signing-keys')).body.find((k: { state: string }) => k.state === 'next').kid,
      ).toBe(before);
      await dialog.getByRole('checkbox', { name: 'The current key is compromised: rotate immediately' }).check();
      await dialog.getByRole('button', { name: 'Rotate keys' }).click();
      await statusMessage(page, new RegExp(`new tokens are signed with ${before}`));
      expect(
        (await auth.api('GET', '/api/signing-keys')).body.find((k: { state: string }) => k.state === 'current').kid,
      ).toBe(before);
      await page.locator('tr.row-selected', { hasText: before }).waitFor();
      await screenshot(page, 'admin-signing-keys');
      expect(await contrastFailures(page)).toEqual([]);
      expect(errors()).toEqual([]);
    } finally {
      await close();
    }
  });
});
