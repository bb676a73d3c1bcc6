// The developer portal: a person a provider invited to an API consumer manages that consumer's
// keys (create within the provider's limits, roll, revoke) and sees their usage; nothing else.
import { api, segment } from '../api.js';
import type { ApiKey, CreatedApiKey, KeyUsage, MyConsumer } from '../api-types.js';
import {
  askToRoll,
  KEY_ENVIRONMENTS,
  keyBody,
  keyLimitFields,
  keyLimits,
  keyStatus,
  loadUsage,
  showApiKey,
  usageSection,
} from '../components/api-key-parts.js';
import { confirmAction } from '../components/confirm-action.js';
import { createForm, nameField, requiredName } from '../components/create-form.js';
import { actionsColumn, table } from '../components/table.js';
import { badge, emptyState, grantList, h, replace, time, type Child } from '../dom.js';
import { announce, dangerRowButton, heading, radioGroup, rowButton } from '../ui.js';
import { grantsPicker, setQuery } from './common.js';
import type { PageContext } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'The API consumers you were invited to: create, roll and revoke their keys within the limits the provider set, and see how each key is used. Every action is recorded under your name.';

export async function render(page: HTMLElement, { params, signal }: PageContext): Promise<void> {
  const consumers = await api<MyConsumer[]>('GET', '/api/me/consumers', undefined, { signal });
  if (consumers.length === 0) {
    page.append(
      emptyState(
        'You have not been invited to an API consumer.',
        'A provider who gives you access to their API invites you here; then their consumer’s keys appear on this page.',
      ),
    );
    return;
  }
  const requested = params.get('consumer');
  const consumer = consumers.find((candidate) => candidate.id === requested) ?? consumers[0]!;
  if (requested !== consumer.id) setQuery({ consumer: consumer.id });
  const base = `/api/me/consumers/${segment(consumer.id)}/keys`;
  const state = { keys: [] as ApiKey[], usage: new Map<string, KeyUsage | null>() };
  const keysHeading = heading(2, `Keys of ${consumer.name}`, { id: 'portal-keys', tabindex: '-1' });
  const secretSlot = h('div', { class: 'secret-slot' });
  const body = h('div');

  if (consumers.length > 1) page.append(chooser());
  page.append(
    limitsSummary(),
    keyForm().element,
    secretSlot,
    h('section', { 'aria-labelledby': keysHeading.id }, keysHeading, body),
  );
  await load();

  function chooser(): HTMLElement {
    return h(
      'nav',
      { 'aria-label': 'Your API consumers', class: 'chips' },
      consumers.map((candidate) =>
        h(
          'a',
          {
            href: `/console/portal?consumer=${encodeURIComponent(candidate.id)}`,
            'aria-current': candidate.id === consumer.id ? 'page' : undefined,
          },
          candidate.name,
        ),
      ),
    );
  }

  function limitsSummary(): HTMLElement {
    const { limits } = consumer;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'portal-limits' },
      heading(2, `What ${consumer.name}’s keys may have`, { id: 'portal-limits' }),
      h(
        'ul',
        { class: 'plain' },
        h('li', {}, 'Scopes: ', grantList(limits.grants)),
        h('li', {}, `Environments: ${limits.environments.join(', ')}`),
        h('li', {}, `At most ${limits.maxActiveKeys} active keys`),
        h(
          'li',
          {},
          limits.rateLimitCeiling
            ? `Rate limit at most ${limits.rateLimitCeiling.requests} requests per ${limits.rateLimitCeiling.perSeconds} s (a key without one gets this)`
            : 'No rate-limit ceiling',
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    state.keys = await api<ApiKey[]>('GET', base, undefined, { signal });
    const active = state.keys.filter((key) => key.status === 'active');
    state.usage = await loadUsage(active, (key) => `${base}/${segment(key.id)}/usage`, signal);
    draw(active);
  }

  function draw(active: ApiKey[]): void {
    replace(
      body,
      h('p', { class: 'muted' }, `${active.length} of ${consumer.limits.maxActiveKeys} active keys.`),
      active.length === 0
        ? emptyState('No active keys.', 'Create one with only the scopes your application needs.')
        : [
            table({
              caption: `Keys of ${consumer.name}`,
              captionHidden: true,
              cards: true,
              columns: ['Name', 'Starts with', 'Scopes', 'Limits', 'Status', 'Expires', actionsColumn()],
              rows: active.map((key) => [
                h('span', {}, key.name, ' ', badge(key.environment, key.environment === 'live' ? 'info' : 'neutral')),
                h('code', {}, `${key.displayPrefix}…`),
                grantList(key.grants),
                keyLimits(key),
                keyStatus(key),
                key.expiresAt
                  ? time(key.expiresAt, '—', { withRelative: true })
                  : h('span', { class: 'muted' }, 'never'),
                h(
                  'div',
                  { class: 'row-actions' },
                  key.rolledToId
                    ? null
                    : rowButton('Roll', key.name, { focusKey: `roll:${key.id}`, onClick: () => roll(key) }),
                  dangerRowButton('Revoke', key.name, `revoke:${key.id}`, () => revoke(key)),
                ),
              ]),
            }),
            usageSection('portal-keys', active, state.usage),
          ],
    );
  }

  function keyForm() {
    const { limits } = consumer;
    // Only what the provider offers: its scopes, its environments, its ceiling as the default rate.
    const grants = grantsPickerOf(consumer);
    return createForm({
      label: 'Create a key',
      title: `Create a key for ${consumer.name}`,
      submitLabel: 'Create key',
      fields: [
        nameField('Where the key is used, e.g. “Production sync”.'),
        radioGroup({
          legend: 'Environment',
          name: 'environment',
          value: limits.environments[0] ?? 'test',
          options: KEY_ENVIRONMENTS.filter((option) => limits.environments.some((offered) => offered === option.value)),
        }),
        grants,
        keyLimitFields(),
      ],
      submit: (form) => api<CreatedApiKey>('POST', base, keyBody(form, grants, requiredName(form, 'key')), { signal }),
      done: async (created) => {
        await load();
        showApiKey(secretSlot, created, 'created', () => keysHeading.focus());
      },
    });
  }

  async function roll(key: ApiKey): Promise<void> {
    const rolled = await askToRoll(key, `${base}/${segment(key.id)}/roll`, signal);
    if (!rolled) return;
    await load();
    showApiKey(secretSlot, rolled, 'rolled', () => keysHeading.focus());
    announce(`The key “${key.name}” is rolled. Copy the new key now.`);
  }

  function revoke(key: ApiKey) {
    return confirmAction({
      title: `Revoke the key “${key.name}”?`,
      message: 'Requests with this key are refused at once, everywhere. This cannot be undone.',
      confirmLabel: 'Revoke key',
      action: () => api('DELETE', `${base}/${segment(key.id)}`, undefined, { signal }),
      refresh: load,
      focusFallback: keysHeading,
      announcement: `The key “${key.name}” is revoked.`,
    });
  }
}

/** The scopes the provider offers, per resource (named by its indicator: the developer sees no resource list). */
function grantsPickerOf(consumer: MyConsumer): HTMLFieldSetElement {
  return grantsPicker({
    legend: 'Scopes',
    hint: 'Only the scopes the provider offers. Pick what your application needs and nothing more.',
    resources: consumer.limits.grants.map((grant) => ({
      indicator: grant.resource,
      name: grant.resource,
      scopes: grant.scopes,
    })),
  });
}
