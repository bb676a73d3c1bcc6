import { DpopKey } from '@tollgate/dpop';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { expectAnswer } from '@tollgate/api-client';
import { fetchJson } from '../../seed/http-json.js';
import { AUDIENCE_SCOPES, CRM_SCOPES } from '../../seed/seed-story.js';
import { check, CheckFailed, expectStatus } from '../checks.js';
import { CRM_RESOURCE, IOT_RESOURCE, MARKETING_RESOURCE } from '../demo.config.js';
import type { Story } from '../story.js';

/**
 * Machine to machine (the seed's "Service A reads Service B"): service-a is a registered client,
 * gets a JWT with the client-credentials grant and calls service-b, which validates it. service-a's
 * own API is protected the same way: the campaign tool calls it with a token for its audience.
 */
export const m2mStory: Story = {
  name: 'M2M',
  title: 'M2M: service-a (email marketing) syncs its audience from service-b (the CRM) with client credentials',
  async run(context, step) {
    const { ids, secrets } = context;
    const { serviceA, serviceB } = context.config.urls;

    // What service-a holds: a DPoP key of its own, and a token bound to it.
    const key = await DpopKey.generate();
    let token = '';
    await step(
      'service-a gets a client-credentials token for the CRM, bound to its own DPoP key (as it does before each sync)',
      async () => {
        const attempt = await context.admin.clientCredentials(
          ids.serviceA,
          secrets.SERVICE_A_CLIENT_SECRET,
          { resource: CRM_RESOURCE },
          'client_secret_basic',
          key,
        );
        if (!attempt.ok) throw new CheckFailed(`the token endpoint answered ${attempt.status} ${attempt.error}`);
        token = attempt.accessToken;
        const header = decodeProtectedHeader(token);
        const claims = decodeJwt(token);
        check(
          claims.aud === CRM_RESOURCE || (Array.isArray(claims.aud) && claims.aud.includes(CRM_RESOURCE)),
          `aud is ${String(claims.aud)}`,
        );
        check(attempt.scope.split(' ').includes(CRM_SCOPES.read), `scope is "${attempt.scope}"`);
        check(attempt.tokenType === 'DPoP', `token_type ${attempt.tokenType}`);
        const jkt = (claims.cnf as { jkt?: string } | undefined)?.jkt;
        check(jkt === (await key.thumbprint()), 'the token is not bound to the key (cnf.jkt)');
        return `JWT (${header.typ}, ${header.alg}): sub ${claims.sub}, aud ${String(claims.aud)}, scope ${attempt.scope}, ${attempt.expiresIn} s; token_type DPoP, cnf.jkt ${jkt.slice(0, 8)}…`;
      },
    );

    await step(
      'service-a’s own API refuses anonymous callers (GET /audience, POST /sync without a token)',
      async () => {
        const [audience, sync] = await Promise.all([
          fetchJson(`${serviceA}/audience`),
          fetchJson(`${serviceA}/sync`, { method: 'POST' }),
        ]);
        expectStatus(audience, 401, 'GET /audience without a token');
        expectStatus(sync, 401, 'POST /sync without a token');
        check(!JSON.stringify(audience.body).includes('@'), 'the refusal shows contacts');
        return `401 and 401 (${audience.headers.get('www-authenticate')}); no contact shown, no sync run`;
      },
    );

    await step(
      'the campaign tool syncs service-a’s audience with a token for service-a’s API; service-a reads service-b with its own (POST /sync)',
      async () => {
        const scope = `${AUDIENCE_SCOPES.read} ${AUDIENCE_SCOPES.sync}`;
        const attempt = await context.admin.clientCredentials(ids.campaignTool, secrets.CAMPAIGN_TOOL_CLIENT_SECRET, {
          resource: MARKETING_RESOURCE,
          scope,
        });
        if (!attempt.ok) throw new CheckFailed(`the token endpoint answered ${attempt.status} ${attempt.error}`);
        const authorization = `Bearer ${attempt.accessToken}`;
        const since = new Date(Date.now() - 1_000).toISOString();
        const sync = await fetchJson(`${serviceA}/sync`, { method: 'POST', headers: { authorization } });
        expectStatus(sync, 200, 'POST /sync');
        check(sync.body.status === 'ok', `the sync ${sync.body.status}: ${sync.body.error}`);
        check(
          sync.body.total >= context.sampleContacts,
          `the sync read ${sync.body.total} contacts, expected at least ${context.sampleContacts}`,
        );
        const audience = await fetchJson(`${serviceA}/audience`, { headers: { authorization } });
        expectStatus(audience, 200, 'GET /audience');
        // service-a's own token for the CRM, as the audit log recorded it: bound to service-a's key.
        const issued = await expectAnswer(
          context.admin.api.GET('/api/audit', {
            params: { query: { action: 'token.issued', actor: ids.serviceA, since, limit: 5 } },
          }),
          200,
        );
        const crmToken = issued.items.find((event) => (event.details as { aud?: string }).aud === CRM_RESOURCE);
        const binding = (crmToken?.details as { binding?: string } | undefined)?.binding;
        check(crmToken, 'the audit log shows no token issued to service-a for the CRM during the sync');
        check(
          binding === 'dpop',
          `service-a’s token for the CRM was bound to ${binding ?? 'nothing'}, not its DPoP key`,
        );
        return `${sync.body.total} contacts read (${sync.body.added} added, ${sync.body.updated} updated, ${sync.body.removed} removed) with a DPoP-bound token; GET /audience → ${audience.body.total}`;
      },
    );
    context.credentials.push({
      label: 'campaign tool',
      value: `${ids.campaignTool} / ${secrets.CAMPAIGN_TOOL_CLIENT_SECRET}`,
      note: `${AUDIENCE_SCOPES.read} ${AUDIENCE_SCOPES.sync} on service-a`,
    });

    await step(
      'a copy of service-a’s token is worthless without its key: service-b refuses it as Bearer and with a thief’s key',
      async () => {
        const contacts = `${serviceB}/contacts`;
        const own = await fetchJson(contacts, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: await key.proof({ method: 'GET', url: contacts, accessToken: token }),
          },
        });
        expectStatus(own, 200, 'GET /contacts with the token and a proof of its key');
        const asBearer = await fetchJson(contacts, { headers: { authorization: `Bearer ${token}` } });
        expectStatus(asBearer, 401, 'the copied token as Bearer');
        const thief = await DpopKey.generate();
        const withThiefKey = await fetchJson(contacts, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: await thief.proof({ method: 'GET', url: contacts, accessToken: token }),
          },
        });
        expectStatus(withThiefKey, 401, 'the copied token with another key');
        return `with its key → 200; as Bearer → 401 ${asBearer.body.error}; with another key → 401 ${withThiefKey.body.error}`;
      },
    );

    await step(`service-b refuses a token for another audience (${ids.thermostat}’s IoT token)`, async () => {
      const attempt = await context.admin.clientCredentials(ids.thermostat, secrets.THERMOSTAT_CLIENT_SECRET, {
        resource: IOT_RESOURCE,
      });
      if (!attempt.ok) throw new CheckFailed(`no token for ${ids.thermostat}: ${attempt.status} ${attempt.error}`);
      const response = await fetchJson(`${serviceB}/contacts`, {
        headers: { authorization: `Bearer ${attempt.accessToken}` },
      });
      expectStatus(response, 401, 'GET /contacts with an IoT token');
      check(response.body.error === 'invalid_token', `expected error invalid_token, got ${response.body.error}`);
      return `401 invalid_token (${response.body.error_description ?? response.headers.get('www-authenticate')})`;
    });
  },
};
