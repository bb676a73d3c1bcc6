// The administrator's overview: every credential by kind and state, what expires this week, the
// latest refusals, the revocation feed and the broker; and a search box across all of them.
import { api, ApiError } from '../api.js';
import type { Overview, SearchHit, StateCounts } from '../api-types.js';
import { actionsColumn, table } from '../components/table.js';
import { badge, emptyState, h, replace, time, type Child } from '../dom.js';
import { announce, heading, showFormError, textField, whileSubmitting } from '../ui.js';
import { looksLikeSecret } from './common.js';
import type { PageContext } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Everything Tollgate guards, at a glance: credentials by kind and state, what expires within a week, what was refused in the last day, and whether the revocation feed and the broker are following.';

const KIND_NAMES: Record<SearchHit['kind'], string> = {
  client: 'Application or device',
  consumer: 'API consumer',
  api_key: 'API key',
  user: 'User',
  pat: 'Personal access token',
};

/** Where each kind of result is managed (ids only in the URL: never a secret). */
function hitLink(hit: SearchHit): string {
  switch (hit.kind) {
    case 'client':
      return `/console/admin/audit?credential=${encodeURIComponent(hit.id)}`;
    case 'consumer':
      return `/console/admin/api-keys?consumer=${encodeURIComponent(hit.id)}`;
    case 'api_key':
      return `/console/admin/api-keys?consumer=${encodeURIComponent(hit.owner?.id ?? '')}`;
    case 'user':
      return `/console/admin/users?user=${encodeURIComponent(hit.id)}`;
    case 'pat':
      return `/console/admin/users?user=${encodeURIComponent(hit.owner?.id ?? '')}`;
  }
}

function tile(title: string, total: Child, ...lines: Child[]): HTMLElement {
  return h('li', { class: 'tile' }, h('h3', {}, title), h('p', { class: 'tile-total' }, total), ...lines);
}

function stateLines(counts: StateCounts): Child[] {
  return [h('p', {}, `${counts.expired} expired`), h('p', {}, `${counts.revoked} revoked`)];
}

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  const overview = await api<Overview>('GET', '/api/overview', undefined, { signal });
  const results = h('div', { 'aria-live': 'polite' });
  page.append(searchForm(results), results, ...sections(overview));

  function searchForm(into: HTMLElement): HTMLFormElement {
    const field = textField({
      label: 'Search',
      name: 'q',
      type: 'search',
      required: true,
      hint: 'A name, an email, a client id, or the visible start of a key or token (e.g. tgk_live_AbCd). Never paste a whole secret.',
      attributes: { minlength: 2, maxlength: 100, autocapitalize: 'off', spellcheck: 'false' },
    });
    const form = h(
      'form',
      { class: 'search-form', role: 'search', novalidate: true },
      field,
      h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      h('button', { type: 'submit', class: 'button button-primary' }, 'Search'),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const q = field.control.value.trim();
      if (looksLikeSecret(q)) {
        showFormError(
          form,
          new ApiError(
            400,
            'That looks like a secret. Search by its visible start (e.g. tgk_live_AbCd) or its name, and if it was exposed, revoke it.',
            { body: { errors: ['q must not be a secret'] } },
          ),
        );
        return;
      }
      const found = await whileSubmitting(form, () =>
        api<{ hits: SearchHit[] }>('POST', '/api/search', { q }, { signal }),
      );
      if (!found) return;
      drawResults(into, q, found.hits);
      announce(found.hits.length === 0 ? `Nothing matches “${q}”.` : `${found.hits.length} found for “${q}”.`);
    });
    return form;
  }

  function drawResults(into: HTMLElement, q: string, hits: SearchHit[]): void {
    replace(
      into,
      heading(2, `Results for “${q}”`),
      hits.length === 0
        ? emptyState('Nothing matches.', 'Try part of a name or email, or the first characters of a key or token.')
        : table({
            caption: `Results for “${q}”`,
            captionHidden: true,
            cards: true,
            columns: ['Name', 'Kind', 'Details', actionsColumn()],
            rows: hits.map((hit) => [
              hit.title,
              KIND_NAMES[hit.kind],
              h(
                'span',
                {},
                h('code', { class: 'break' }, hit.detail),
                hit.owner ? [h('br'), `of ${hit.owner.name}`] : null,
              ),
              h('a', { href: hitLink(hit) }, 'Open', h('span', { class: 'visually-hidden' }, ` ${hit.title}`)),
            ]),
          }),
    );
  }
}

function sections(overview: Overview): HTMLElement[] {
  const { counts } = overview;
  const clients = counts.clients;
  return [
    h(
      'section',
      { 'aria-labelledby': 'overview-credentials' },
      heading(2, 'Credentials', { id: 'overview-credentials' }),
      h(
        'ul',
        { class: 'tiles' },
        tile('Applications', String(clients.service.enabled), h('p', {}, `${clients.service.disabled} disabled`)),
        tile('Devices', String(clients.device.enabled), h('p', {}, `${clients.device.disabled} disabled`)),
        tile('API keys', String(counts.apiKeys.active), ...stateLines(counts.apiKeys)),
        tile(
          'Personal access tokens',
          String(counts.personalAccessTokens.active),
          ...stateLines(counts.personalAccessTokens),
        ),
        tile(
          'Users',
          String(counts.users.people),
          h('p', {}, `${counts.users.serviceAccounts} service accounts`),
          h('p', {}, `${counts.users.disabled} disabled`),
        ),
      ),
      h(
        'p',
        { class: 'hint' },
        'The large number is what works now: enabled, or active (neither expired nor revoked).',
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'overview-expiring' },
      heading(2, 'Expiring within 7 days', { id: 'overview-expiring' }),
      overview.expiringSoon.length === 0
        ? emptyState('Nothing expires this week.')
        : table({
            caption: 'Expiring within 7 days',
            captionHidden: true,
            cards: true,
            columns: ['Name', 'Kind', 'Belongs to', 'Expires'],
            rows: overview.expiringSoon.map((credential) => [
              h('span', {}, credential.name, h('br'), h('code', {}, `${credential.displayPrefix}…`)),
              credential.kind === 'api_key' ? 'API key' : 'Personal access token',
              h(
                'a',
                {
                  href:
                    credential.kind === 'api_key'
                      ? `/console/admin/api-keys?consumer=${encodeURIComponent(credential.owner.id)}`
                      : `/console/admin/users?user=${encodeURIComponent(credential.owner.id)}`,
                },
                credential.owner.name,
              ),
              time(credential.expiresAt),
            ]),
          }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'overview-refusals' },
      heading(2, 'Refused in the last 24 hours', { id: 'overview-refusals' }),
      h(
        'p',
        {},
        h('strong', { class: 'tile-total' }, String(overview.refusals.last24Hours)),
        ' refused or failed. ',
        h('a', { href: '/console/admin/audit?outcome=failure' }, 'Failures in the audit log'),
        ' · ',
        h('a', { href: '/console/admin/audit?outcome=denied' }, 'Denials'),
      ),
      overview.refusals.newest.length === 0
        ? null
        : table({
            caption: 'The latest refusals',
            cards: true,
            columns: ['When', 'Action', 'Reason'],
            rows: overview.refusals.newest.map((event) => [
              time(event.occurredAt),
              h('code', {}, event.action),
              event.reason ?? h('span', { class: 'muted' }, '—'),
            ]),
          }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'overview-followers' },
      heading(2, 'Revocation feed and broker', { id: 'overview-followers' }),
      h(
        'ul',
        { class: 'tiles' },
        tile(
          'Revocation feed',
          String(overview.revocationFeed.subscribersHere),
          h('p', {}, 'streams open on this auth-server (resource servers and brokers following it)'),
        ),
        overview.broker.configured
          ? tile(
              'IoT broker',
              String(overview.broker.connectedDevices ?? '—'),
              h('p', {}, 'devices connected'),
              h(
                'p',
                {},
                badge(overview.broker.status ?? 'unknown', overview.broker.status === 'ok' ? 'success' : 'warning'),
                overview.broker.revocationFeed ? ` feed ${overview.broker.revocationFeed}` : null,
              ),
              h('p', {}, h('a', { href: '/console/admin/devices' }, 'Connected devices')),
            )
          : tile('IoT broker', '—', h('p', {}, 'not configured (IOT_BROKER_HEALTH_URL)')),
      ),
    ),
  ];
}
