import { expectAnswer } from '@tollgate/api-client';
import { fetchJson, type JsonResponse } from '../../seed/http-json.js';
import { CRM_SCOPES } from '../../seed/seed-story.js';
import { check, expectStatus, waitFor } from '../checks.js';
import { CRM_RESOURCE, DEMO_USER } from '../demo.config.js';
import { type ConsoleSession, signInToConsole } from '../console-session.js';
import { ensureDemoUser } from '../demo-fixtures.js';
import type { Story } from '../story.js';

interface CreatedPat {
  id: string;
  token: string;
  displayPrefix: string;
  scopes: string[];
  expiresAt: string;
}

const ROLE = 'crm-editor';

/**
 * Personal access tokens (the seed's GitHub/Contentful/Airtable examples): a user signs in to
 * account settings, makes a token with a name, scopes and an expiry, a script uses it as the user,
 * and revoking it stops it without touching the password.
 */
export const patStory: Story = {
  name: 'PAT',
  title: 'Personal access token: Ada signs in to account settings, makes a token for her script, and revokes it',
  async run(context, step) {
    const { authServer, serviceB } = context.config.urls;
    const password = context.secrets.DEMO_USER_PASSWORD;
    let ada!: ConsoleSession;
    let pat!: CreatedPat;
    const asAda = (method: string, path: string, body?: unknown): Promise<JsonResponse> =>
      ada.request(method, path, body);
    const script = (token: string, method = 'GET', body?: unknown): Promise<JsonResponse> =>
      fetchJson(`${serviceB}/contacts${method === 'GET' ? '?limit=100' : ''}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
        body,
      });

    await step(`an admin gives ${DEMO_USER} the role ${ROLE} (contacts:read contacts:write on the CRM)`, async () => {
      const api = context.admin.api;
      const roles = await expectAnswer(api.GET('/api/roles'), 200);
      if (!roles.some((role) => role.name === ROLE)) {
        await expectAnswer(
          api.POST('/api/roles', {
            body: {
              name: ROLE,
              description: 'Reads and writes CRM contacts',
              grants: [{ resource: CRM_RESOURCE, scopes: [CRM_SCOPES.read, CRM_SCOPES.write] }],
            },
          }),
          201,
        );
      }
      const outcome = await ensureDemoUser(context.admin, {
        email: DEMO_USER,
        displayName: 'Ada Lovelace',
        password,
        roles: [ROLE],
      });
      return `${outcome}; password stored as an argon2id hash`;
    });

    await step('Ada signs in to account settings (POST /api/session)', async () => {
      ada = await signInToConsole(authServer, DEMO_USER, password);
      return `session cookie (HttpOnly, SameSite=Lax) and a CSRF token for account settings`;
    });

    await step('Ada creates a token for her script: contacts:read contacts:write, 30 days', async () => {
      const created = await asAda('POST', '/api/me/tokens', {
        name: `CRM script ${new Date().toISOString().slice(0, 19)}`,
        scopes: [CRM_SCOPES.read, CRM_SCOPES.write],
        expiresInDays: 30,
      });
      expectStatus(created, 201, 'POST /api/me/tokens');
      pat = created.body;
      check(pat.token.startsWith('tgp_'), `the token should start with tgp_, got ${pat.displayPrefix}`);
      return `${pat.displayPrefix}… (shown once, stored hashed), expires ${pat.expiresAt.slice(0, 10)}`;
    });

    await step('her script lists contacts with the token, as Ada', async () => {
      const response = await script(pat.token);
      expectStatus(response, 200, 'GET /contacts with the PAT');
      return `GET /contacts → 200, ${response.body.total} contacts`;
    });

    await step('and creates a contact, then deletes it (contacts:write, held by her role)', async () => {
      const stamp = Date.now().toString(36);
      const created = await script(pat.token, 'POST', {
        name: `Grace Hopper ${stamp}`,
        email: `grace.${stamp}@example.com`,
      });
      expectStatus(created, 201, 'POST /contacts with the PAT');
      const deleted = await fetchJson(`${serviceB}/contacts/${created.body.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${pat.token}` },
      });
      expectStatus(deleted, 204, 'DELETE /contacts/{id} with the PAT');
      return `POST /contacts → 201, DELETE → 204`;
    });

    await step('account settings list the token without its secret', async () => {
      const list = await asAda('GET', '/api/me/tokens');
      expectStatus(list, 200, 'GET /api/me/tokens');
      check(!JSON.stringify(list.body).includes(pat.token), 'the list must never contain the token');
      const listed = list.body.find((token: { id: string }) => token.id === pat.id);
      check(listed !== undefined, 'the new token should be listed');
      return `name, scopes ${listed.scopes.join(' ')}, prefix ${listed.displayPrefix}…; never the token`;
    });

    await step('Ada revokes the token; her script is refused at once (her password is untouched)', async () => {
      const revokedAt = Date.now();
      expectStatus(await asAda('DELETE', `/api/me/tokens/${pat.id}`), 204, 'DELETE /api/me/tokens/{id}');
      const refused = await waitFor(
        async () => {
          const response = await script(pat.token);
          return response.status !== 200 && response;
        },
        'the revoked token to be refused',
        5_000,
      );
      expectStatus(refused, 401, 'the revoked PAT');
      check(refused.body.error === 'invalid_token', `expected invalid_token, got ${refused.body.error}`);
      return `GET /contacts → 401 invalid_token ${Date.now() - revokedAt} ms later`;
    });

    context.credentials.push({
      label: 'demo user',
      value: `${DEMO_USER} / ${password}`,
      note: 'sign in to the web console',
    });
  },
};
