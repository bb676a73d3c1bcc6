// The audit log: newest first, filtered by credential, actor, action, outcome and time, paginated
// with the `before` cursor. Filters are ids and names, never secrets, so they may sit in the URL.
import { api, ApiError, query } from '../api.js';
import type { AuditEvent, AuditPage } from '../api-types.js';
import { table } from '../components/table.js';
import { emptyState, h, replace, type Tone, time, uid, type Child } from '../dom.js';
import {
  announce,
  announceError,
  control,
  errorSummary,
  heading,
  selectField,
  showFormError,
  textField,
  whileSubmitting,
} from '../ui.js';
import { setQuery } from './common.js';
import type { PageContext } from './page.js';

const DEFAULT_PAGE_SIZE = 50;
const FILTERS = ['credential', 'actor', 'action', 'outcome', 'since', 'until'];
const KNOWN_ACTIONS = [
  'api-consumer.*',
  'api-consumer.created',
  'api-consumer.deleted',
  'api-key.*',
  'api-key.created',
  'api-key.rolled',
  'api-key.revoked',
  'api-key.use.denied',
  'client.*',
  'client.created',
  'client.deleted',
  'client.auth.failed',
  'client.secret.rotated',
  'client.secret.revoked',
  'client.tokens.revoked',
  'credential.leaked',
  'pat.*',
  'pat.created',
  'pat.revoked',
  'pat.expiring',
  'pat.use.denied',
  'pat.policy.updated',
  'role.*',
  'session.*',
  'session.login',
  'session.logout',
  'signing-key.rotated',
  'token.*',
  'token.issued',
  'token.revoked',
  'token.exchanged',
  'token.exchange.denied',
  'user.*',
  'user.created',
  'user.deleted',
  'user.roles.changed',
];
/** A Tollgate credential (libs/credentials: tg<kind>_…). */
const CREDENTIAL = /\btg[kps]_[A-Za-z0-9_]{16,}/;
const OUTCOME_TONES: Record<string, Tone> = { success: 'success', failure: 'danger', denied: 'warning' };

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Every issue, use, rotation, revocation, denial and sign-in, newest first. The log is append-only.';

export async function render(page: HTMLElement, { params, signal }: PageContext): Promise<void> {
  const filters: Record<string, string> = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? '']));
  // ?limit= (1–200, the API's bounds) sets the page size.
  const requested = Number.parseInt(params.get('limit') ?? '', 10);
  const pageSize = Number.isInteger(requested) ? Math.min(200, Math.max(1, requested)) : DEFAULT_PAGE_SIZE;
  const state = { items: [] as AuditEvent[], nextCursor: null as string | null };
  const resultsHeading = heading(2, 'Events', { id: uid('events') });
  const results = h('div');
  const more = h('div', { class: 'actions' });
  const listId = uid('actions');

  const form = h(
    'form',
    { method: 'get', class: 'card', role: 'search', 'aria-label': 'Filter the audit log', novalidate: true },
    h(
      'div',
      { class: 'columns' },
      textField({
        label: 'Credential id',
        name: 'credential',
        value: filters.credential,
        hint: 'A key, token, PAT, secret or client id.',
        attributes: { maxlength: 128, spellcheck: 'false' },
      }),
      textField({
        label: 'Actor id',
        name: 'actor',
        value: filters.actor,
        hint: 'The user or client that acted.',
        attributes: { maxlength: 128, spellcheck: 'false' },
      }),
      textField({
        label: 'Action',
        name: 'action',
        value: filters.action,
        hint: 'Exact, or a prefix ending in .* (api-key.*).',
        attributes: { maxlength: 64, list: listId, spellcheck: 'false' },
      }),
      selectField({
        label: 'Outcome',
        name: 'outcome',
        value: filters.outcome,
        options: [
          { value: '', label: 'Any outcome' },
          { value: 'success', label: 'Success' },
          { value: 'failure', label: 'Failure' },
          { value: 'denied', label: 'Denied' },
        ],
      }),
      textField({
        label: 'From',
        name: 'since',
        type: 'datetime-local',
        value: toLocalInput(filters.since),
        hint: 'Your local time.',
      }),
      textField({
        label: 'Until',
        name: 'until',
        type: 'datetime-local',
        value: toLocalInput(filters.until),
        hint: 'Your local time.',
      }),
    ),
    h(
      'datalist',
      { id: listId },
      KNOWN_ACTIONS.map((action) => h('option', { value: action })),
    ),
    errorSummary(),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'button', onClick: clear }, 'Clear filters'),
    ),
  );

  page.append(form, h('section', { 'aria-labelledby': resultsHeading.id }, resultsHeading, results, more));
  await load(false);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // Filters go into the URL and the API's query string (and so into access logs): never a secret.
    const pasted = FILTERS.find((name) => CREDENTIAL.test(control(form, name).value));
    if (pasted) {
      showFormError(
        form,
        new ApiError(
          400,
          'That looks like a secret (a token, key or client secret). Search by its id, shown in its list, and never paste a secret here; if it was exposed, revoke it.',
          { body: { errors: [`${pasted} must be an id, not a secret`] } },
        ),
      );
      return;
    }
    for (const name of FILTERS) {
      const value = control(form, name).value.trim();
      filters[name] = (name === 'since' || name === 'until') && value ? new Date(value).toISOString() : value;
    }
    setQuery(filters);
    const loaded = await whileSubmitting(form, () => load(false));
    if (loaded !== undefined)
      announce(
        `${state.items.length}${state.nextCursor ? '+' : ''} event${state.items.length === 1 ? '' : 's'} match the filters.`,
      );
  });

  async function clear() {
    for (const name of FILTERS) {
      filters[name] = '';
      control(form, name).value = '';
    }
    setQuery(filters);
    await whileSubmitting(form, () => load(false));
    announce('Filters cleared: showing the newest events.');
  }

  async function load(append: boolean) {
    const parameters = { ...filters, limit: pageSize, before: append ? state.nextCursor : undefined };
    const answer = await api<AuditPage>('GET', `/api/audit${query(parameters)}`, undefined, { signal });
    state.items = append ? [...state.items, ...answer.items] : answer.items;
    state.nextCursor = answer.nextCursor;
    draw();
    return answer.items.length;
  }

  function draw() {
    const filtered = FILTERS.some((name) => filters[name]);
    if (state.items.length === 0) {
      replace(
        results,
        emptyState(
          filtered ? 'No events match these filters.' : 'The audit log is empty.',
          filtered
            ? 'Widen the time range or clear a filter.'
            : 'Events appear as credentials are issued, used and revoked.',
        ),
      );
      replace(more);
      return;
    }
    replace(
      results,
      table({
        caption: `${state.items.length} event${state.items.length === 1 ? '' : 's'}, newest first${filtered ? ', filtered' : ''}`,
        columns: ['Time', 'Action', 'Outcome', 'Actor', 'Credential', 'Address', 'Details'],
        rows: state.items.map((event) => [
          time(event.occurredAt),
          h('code', {}, event.action),
          h('span', { class: `badge badge-${OUTCOME_TONES[event.outcome] ?? 'neutral'}` }, event.outcome),
          event.actor.id ? h('span', {}, event.actor.type, h('br'), h('code', {}, event.actor.id)) : event.actor.type,
          event.credential
            ? h('span', {}, event.credential.type, h('br'), h('code', {}, event.credential.id))
            : h('span', { class: 'muted' }, '—'),
          event.address ?? h('span', { class: 'muted' }, '—'),
          details(event),
        ]),
      }),
    );
    replace(
      more,
      state.nextCursor
        ? h(
            'button',
            {
              type: 'button',
              class: 'button',
              'data-focus-key': 'audit-more',
              onClick: async (click) => {
                const button = click.currentTarget as HTMLButtonElement;
                button.disabled = true;
                const before = state.items.length;
                try {
                  const added = await load(true);
                  // Keep the reader's place: the first new row's time.
                  results.querySelectorAll('tbody tr')[before]?.querySelector('th')?.setAttribute('tabindex', '-1');
                  results.querySelectorAll('tbody tr')[before]?.querySelector('th')?.focus();
                  announce(`${added} older event${added === 1 ? '' : 's'} loaded.`);
                } catch (error) {
                  button.disabled = false;
                  announceError(error);
                }
              },
            },
            'Load older events',
          )
        : h('p', { class: 'muted' }, 'This is the oldest event.'),
    );
  }
}

function details(event: AuditEvent): HTMLElement {
  const parts: string[] = [];
  if (event.reason) parts.push(event.reason);
  if (event.details) {
    for (const [name, value] of Object.entries(event.details))
      parts.push(`${name}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  }
  return parts.length > 0 ? h('p', { class: 'audit-details' }, parts.join('; ')) : h('span', { class: 'muted' }, '—');
}

/** An ISO instant as the value of a datetime-local input (local time, minutes). */
function toLocalInput(iso: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
