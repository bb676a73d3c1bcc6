import { expectAnswer } from '@tollgate/api-client';
import { fetchJson, type JsonResponse } from '../../seed/http-json.js';
import { CRM_SCOPES } from '../../seed/seed-story.js';
import { check, expectStatus, waitFor } from '../checks.js';
import { CRM_RESOURCE } from '../demo.config.js';
import type { Story } from '../story.js';

/**
 * API keys (the seed's Zapier example): the provider issues a registered consumer a key restricted
 * to `contacts:read`; the consumer sends it with every request; the key is rolled and revoked.
 */
export const apiKeyStory: Story = {
  name: 'API key',
  title:
    'API key: "Zapflow", a Zapier-like integration registered as an API consumer, reads the CRM with a restricted key',
  async run(context, step) {
    const contacts = `${context.config.urls.serviceB}/contacts`;
    const withKey = (key: string, method = 'GET', body?: unknown): Promise<JsonResponse> =>
      fetchJson(method === 'GET' ? `${contacts}?limit=100` : contacts, { method, headers: { 'x-api-key': key }, body });
    const api = context.admin.api;
    let issued!: { id: string; key: string; displayPrefix: string };
    let rolled!: typeof issued;

    await step('the CRM issues Zapflow a live key restricted to contacts:read', async () => {
      issued = await expectAnswer(
        api.POST('/api/consumers/{id}/keys', {
          params: { path: { id: context.consumer.id } },
          body: {
            name: 'Contacts sync (demo)',
            environment: 'live',
            grants: [{ resource: CRM_RESOURCE, scopes: [CRM_SCOPES.read] }],
          },
        }),
        201,
      );
      check(issued.key.startsWith('tgk_live_'), `the key should start with tgk_live_, got ${issued.displayPrefix}…`);
      return `${issued.displayPrefix}… (shown once, stored hashed)`;
    });

    await step('Zapflow reads contacts with the key in X-API-Key', async () => {
      const response = await withKey(issued.key);
      expectStatus(response, 200, 'GET /contacts');
      check(
        response.body.total >= context.sampleContacts,
        `expected at least ${context.sampleContacts} contacts, got ${response.body.total}`,
      );
      return `GET /contacts → 200, ${response.body.total} contacts`;
    });

    await step('the same key cannot write', async () => {
      const response = await withKey(issued.key, 'POST', { name: 'Mallory', email: 'mallory@example.com' });
      expectStatus(response, 403, 'POST /contacts with a contacts:read key');
      check(
        response.body.error === 'insufficient_scope',
        `expected error insufficient_scope, got ${response.body.error}`,
      );
      return `POST /contacts → 403 insufficient_scope (needs ${response.body.scope ?? CRM_SCOPES.write})`;
    });

    await step('roll the key with a 1-minute overlap (the API’s shortest; the next step ends it early)', async () => {
      rolled = await expectAnswer(
        api.POST('/api/keys/{id}/roll', { params: { path: { id: issued.id } }, body: { expireCurrentInMinutes: 1 } }),
        201,
      );
      const [old, fresh] = await Promise.all([withKey(issued.key), withKey(rolled.key)]);
      expectStatus(old, 200, 'the old key during the overlap');
      expectStatus(fresh, 200, 'the new key');
      return `old key → 200, new key ${rolled.displayPrefix}… → 200 while Zapflow switches over`;
    });

    await step('Zapflow has switched: revoke the old key now (DELETE /api/keys/{id})', async () => {
      const revokedAt = Date.now();
      await expectAnswer(api.DELETE('/api/keys/{id}', { params: { path: { id: issued.id } } }), 204);
      const refused = await waitFor(
        async () => {
          const response = await withKey(issued.key);
          return response.status !== 200 && response;
        },
        'the old key to be refused',
        5_000,
      );
      const elapsed = Date.now() - revokedAt;
      expectStatus(refused, 401, 'the revoked key');
      check(refused.body.error === 'invalid_token', `expected error invalid_token, got ${refused.body.error}`);
      expectStatus(await withKey(rolled.key), 200, 'the new key');
      return `old key → 401 invalid_token ${elapsed} ms later; new key → 200`;
    });

    await step('the audit log holds the key’s history', async () => {
      const audit = await expectAnswer(
        api.GET('/api/audit', { params: { query: { credential: issued.id, action: 'api-key.*' } } }),
        200,
      );
      const actions = audit.items.map((item) => item.action);
      const expected = ['api-key.created', 'api-key.rolled', 'api-key.revoked'];
      for (const action of expected)
        check(actions.includes(action), `the audit log lacks ${action} (has ${actions.join(', ') || 'nothing'})`);
      return `GET /api/audit → ${expected.join(' → ')}`;
    });

    context.credentials.push({ label: 'API key', value: rolled.key, note: 'Zapflow; contacts:read on the CRM' });
  },
};
