// The audit log: newest first, one line per event with its details in a panel, filtered by
// credential, actor, action, outcome and time, paginated with the `before` cursor, followed live
// on request, and downloadable (JSON Lines or CSV) with the same filters. Filters are ids and
// names, never secrets, so they may sit in the URL.
import { api, ApiError, query } from '../api.js';
import type { AuditEvent, AuditPage } from '../api-types.js';
import { table } from '../components/table.js';
import { emptyState, h, replace, type Tone, time, uid, type Child } from '../dom.js';
import {
  announce,
  announceError,
  checkbox,
  control,
  errorSummary,
  heading,
  selectField,
  showFormError,
  textField,
  whileSubmitting,
} from '../ui.js';
import { looksLikeSecret, setQuery } from './common.js';
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
  const drawer = h('section', { class: 'card audit-drawer', hidden: true, 'aria-labelledby': uid('event') });
  const downloads = h('p', { class: 'audit-downloads' });
  const live = checkbox({
    label: 'Show new events as they happen',
    name: 'live',
    hint: 'Checks every 5 seconds while this page is open.',
  });
  let tail: ReturnType<typeof setInterval> | undefined;
  signal.addEventListener('abort', () => clearInterval(tail));
  live.control.addEventListener('change', () => {
    clearInterval(tail);
    tail = live.control.checked ? setInterval(() => void followNewEvents(), 5_000) : undefined;
    announce(
      live.control.checked ? 'New events will appear at the top as they happen.' : 'Stopped following new events.',
    );
  });

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

  page.append(
    form,
    h('section', { 'aria-labelledby': resultsHeading.id }, resultsHeading, downloads, live, drawer, results, more),
  );
  await load(false);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // Filters go into the URL and the API's query string (and so into access logs): never a secret.
    const pasted = FILTERS.find((name) => looksLikeSecret(control(form, name).value));
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

  /** Live: the events newer than the newest shown, put on top. */
  async function followNewEvents() {
    const newest = state.items[0];
    const answer = await api<AuditPage>(
      'GET',
      `/api/audit${query({ ...filters, since: newest?.occurredAt ?? filters.since, limit: 200 })}`,
      undefined,
      { signal },
    ).catch(() => undefined);
    const added = answer?.items.filter((event) => !newest || event.id > newest.id) ?? [];
    if (added.length === 0) return;
    state.items = [...added, ...state.items];
    draw();
    announce(`${added.length} new event${added.length === 1 ? '' : 's'}.`);
  }

  /** Opens the panel with every field of one event; Close returns to the row's button. */
  function showDetails(event: AuditEvent, opener: HTMLElement) {
    const title = heading(3, `${event.action}, ${new Date(event.occurredAt).toLocaleString()}`, {
      id: drawer.getAttribute('aria-labelledby')!,
      tabindex: '-1',
    });
    const field = (name: string, value: Child) => [h('dt', {}, name), h('dd', {}, value)];
    replace(
      drawer,
      title,
      h(
        'dl',
        { class: 'kv' },
        field('Outcome', outcomeBadge(event.outcome)),
        field('Actor', event.actor.id ? [event.actor.type, ' ', h('code', {}, event.actor.id)] : event.actor.type),
        field('Credential', event.credential ? [event.credential.type, ' ', h('code', {}, event.credential.id)] : '—'),
        field('Address', event.address ?? '—'),
        field('Reason', event.reason ?? '—'),
        field('Event id', String(event.id)),
      ),
      event.details
        ? h(
            'pre',
            { class: 'audit-json', tabindex: '0', 'aria-label': 'Details (JSON)' },
            JSON.stringify(event.details, null, 2),
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            onClick: () => {
              drawer.hidden = true;
              opener.focus();
            },
          },
          'Close',
        ),
      ),
    );
    drawer.hidden = false;
    title.focus();
  }

  function draw() {
    const filtered = FILTERS.some((name) => filters[name]);
    const exported = (format: string) => `/api/audit/export${query({ ...filters, format })}`;
    replace(
      downloads,
      `Download ${filtered ? 'the events these filters select' : 'the whole log'}, oldest first: `,
      h('a', { href: exported('jsonl'), download: 'tollgate-audit.jsonl' }, 'JSON Lines'),
      ' · ',
      h('a', { href: exported('csv'), download: 'tollgate-audit.csv' }, 'CSV'),
    );
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
      h(
        'div',
        { class: 'audit-events' },
        table({
          caption: `${state.items.length} event${state.items.length === 1 ? '' : 's'}, newest first${filtered ? ', filtered' : ''}`,
          // One line per event; on a narrow screen the outcome goes under the action, and the actor and
          // credential are in the details only.
          columns: [
            'Time',
            'Action',
            'Outcome',
            'Actor',
            'Credential',
            h('span', { class: 'visually-hidden' }, 'Details'),
          ],
          columnClasses: [undefined, undefined, 'wide-only', 'wide-only', 'wide-only', undefined],
          rows: state.items.map((event) => [
            time(event.occurredAt),
            h(
              'span',
              {},
              h('code', {}, event.action),
              h('span', { class: 'narrow-only' }, h('br'), outcomeBadge(event.outcome)),
            ),
            outcomeBadge(event.outcome),
            event.actor.id ? h('code', { title: event.actor.type }, event.actor.id) : event.actor.type,
            event.credential
              ? h('code', { title: event.credential.type }, event.credential.id)
              : h('span', { class: 'muted' }, '—'),
            h(
              'button',
              {
                type: 'button',
                class: 'button button-small',
                'data-focus-key': `event:${event.id}`,
                onClick: (click: Event) => showDetails(event, click.currentTarget as HTMLElement),
              },
              'Details',
              h(
                'span',
                { class: 'visually-hidden' },
                ` of ${event.action} at ${new Date(event.occurredAt).toLocaleString()}`,
              ),
            ),
          ]),
        }),
      ),
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

function outcomeBadge(outcome: string): HTMLElement {
  return h('span', { class: `badge badge-${OUTCOME_TONES[outcome] ?? 'neutral'}` }, outcome);
}

/** An ISO instant as the value of a datetime-local input (local time, minutes). */
function toLocalInput(iso: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
