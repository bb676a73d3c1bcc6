import type { Browser } from 'playwright-core';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
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

/** Issue 16: an admin adds a webhook endpoint in the console, keeps its secret, and reads its delivery log. */
describeInBrowser('console: webhooks', () => {
  let browser: Browser;
  let auth: AuthServerHarness;
  let receiver: Server;
  let url: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tollgate`;
    [browser, auth] = await Promise.all([
      launchBrowser(),
      AuthServerHarness.start({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } }),
    ]);
    await auth.createResource(CRM, ['contacts:read']);
    await auth.createUser({ email: 'admin@example.com', roles: ['admin'] });
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.stop();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  it('adds an endpoint, shows its secret once, lists its signed deliveries and sends one again', async () => {
    const { context, page, record } = await openConsole(browser, auth.issuer);
    try {
      await signIn(page, 'admin@example.com');
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Webhooks' }).click();
      await pageTitle(page, 'Webhooks');
      await page.getByText('No webhook endpoints yet.').waitFor();

      await page.getByRole('button', { name: 'Add an endpoint' }).click();
      await page.getByLabel('URL').fill(url);
      await page.getByLabel('Events').fill('api-key.created, api-key.revoked');
      await page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
      await page.getByRole('heading', { name: 'Copy your new signing secret now' }).waitFor();
      const secret = await page.getByRole('textbox', { name: 'Signing secret', exact: true }).inputValue();
      expect(secret).toMatch(/^whsec_/);

      const consumer = await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'dev@zapflow.example' });
      await auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
        name: 'k',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      await eventually(() => expect(received).toHaveLength(1));
      expect(new Webhook(secret).verify(received[0].body, received[0].headers as Record<string, string>)).toMatchObject(
        {
          type: 'api-key.created',
        },
      );

      await page.getByRole('button', { name: `Deliveries of ${url}` }).click();
      const log = page.getByRole('table', { name: 'Newest first' });
      await log.locator('code', { hasText: 'api-key.created' }).waitFor();
      await log.getByText('succeeded').waitFor();
      await log.getByRole('button', { name: /^Send again api-key.created/ }).click();
      await statusMessage(page, /api-key.created is sent again/);
      await eventually(() => expect(received).toHaveLength(2));
      expect(received[1].headers['webhook-id']).toBe(received[0].headers['webhook-id']);

      await screenshot(page, 'admin-webhooks');
      expect(await contrastFailures(page)).toEqual([]);
      expect(await unlabelledControls(page)).toEqual([]);
      // The secret never went into a URL.
      for (const requested of record.requestUrls) expect(requested).not.toContain(secret.slice(6, 20));
      expect([...record.errors, ...record.cspViolations]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
