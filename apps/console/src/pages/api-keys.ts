// API consumers (registered applications) and their keys: create restricted keys, reveal once,
// roll with overlap, revoke; usage per key.
import { api, segment } from '../api.js';
import type { ApiConsumer, ApiKey, CreatedApiKey, KeyUsage } from '../api-types.js';
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
import { confirmAction, toggleDisabled } from '../components/confirm-action.js';
import { consumerPortalPanel } from '../components/consumer-portal-panel.js';
import { createForm, nameField, requiredName } from '../components/create-form.js';
import { drawDetailsFrame } from '../components/details-frame.js';
import { actionsColumn, drawList, inactiveFilter, lastUsedCell, table } from '../components/table.js';
import { badge, emptyState, grantList, h, replace, statusBadge, time, type Child } from '../dom.js';
import {
  announce,
  formValue,
  listSection,
  radioGroup,
  dangerRowButton,
  detailsButton,
  enableToggleButton,
  rowButton,
  textArea,
  textField,
} from '../ui.js';
import { auditLink, grantsPicker, loadResources, setQuery } from './common.js';
import type { PageContext } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'An API consumer is an application that calls your APIs with keys, like an integration that syncs contacts. A key identifies the application, not a person; it carries a fixed set of scopes and can be limited by address, rate and expiry.';

export async function render(page: HTMLElement, { params, signal }: PageContext): Promise<void> {
  const [consumers, resources] = await Promise.all([
    api<ApiConsumer[]>('GET', '/api/consumers', undefined, { signal }),
    loadResources(signal),
  ]);
  const state = {
    consumers,
    selectedId: params.get('consumer'),
    keys: [] as ApiKey[],
    usage: new Map<string, KeyUsage | null>(),
    showInactive: false,
  };
  if (!state.consumers.some((consumer) => consumer.id === state.selectedId))
    state.selectedId = state.consumers.length === 1 ? (state.consumers[0]?.id ?? null) : null;

  /** The selected consumer's keys: heading, create form and the slot for a new key stay while the list is redrawn. */
  const frame = {
    consumerId: null as string | null,
    heading: h('h2'),
    notice: h('div'),
    secretSlot: h('div'),
    body: h('div'),
  };
  const consumersList = listSection('API consumers', 'consumers');
  const keysSection = h('section', { class: 'keys' });

  page.append(consumerForm().element, consumersList.element, keysSection);
  drawConsumers();
  await loadKeys();

  // ---- consumers --------------------------------------------------------------------------------

  function consumerForm() {
    return createForm({
      label: 'Register a consumer',
      title: 'Register an API consumer',
      submitLabel: 'Register consumer',
      fields: [
        nameField('The application, e.g. “Zapflow integration”.'),
        textField({
          label: 'Contact email',
          name: 'contact',
          type: 'email',
          required: true,
          hint: 'Who to tell about its keys (rotation, leaks).',
          attributes: { maxlength: 254 },
        }),
        textArea({ label: 'Description', name: 'description', attributes: { maxlength: 1000 } }),
      ],
      submit: (form) => {
        const description = formValue(form, 'description');
        return api<ApiConsumer>(
          'POST',
          '/api/consumers',
          {
            name: formValue(form, 'name'),
            contact: formValue(form, 'contact'),
            ...(description ? { description } : {}),
          },
          { signal },
        );
      },
      done: async (created) => {
        state.consumers = await api<ApiConsumer[]>('GET', '/api/consumers', undefined, { signal });
        await select(created.id);
        announce(`The consumer “${created.name}” is registered. Create its first key below.`);
      },
    });
  }

  function drawConsumers() {
    drawList(consumersList.body, {
      caption: 'Registered API consumers',
      columns: ['Name', 'Contact', 'Status', 'Registered', actionsColumn()],
      rows: state.consumers.map((consumer) => [
        consumer.name,
        consumer.contact,
        statusBadge(consumer.disabled ? 'disabled' : 'enabled'),
        time(consumer.createdAt, '—', { dateOnly: true }),
        h(
          'div',
          { class: 'row-actions' },
          detailsButton('keys', consumer.name, {
            showing: consumer.id === state.selectedId,
            focusKey: `keys:${consumer.id}`,
            onClick: () => select(consumer.id, true),
          }),
          enableToggleButton(consumer.disabled, consumer.name, `toggle:${consumer.id}`, () => toggleConsumer(consumer)),
          dangerRowButton('Delete', consumer.name, `delete:${consumer.id}`, () => deleteConsumer(consumer)),
        ),
      ]),
      rowAttributes: (index) => ({
        class: state.consumers[index]?.id === state.selectedId ? 'row-selected' : undefined,
      }),
      empty: emptyState(
        'No API consumers yet.',
        'Register the application that will call your APIs, then create a key for it.',
      ),
    });
  }

  async function select(id: string, focus = false) {
    state.selectedId = id;
    state.showInactive = false;
    setQuery({ consumer: id });
    drawConsumers();
    await loadKeys();
    if (focus) keysSection.querySelector('h2')?.focus();
  }

  async function reloadConsumers() {
    state.consumers = await api<ApiConsumer[]>('GET', '/api/consumers', undefined, { signal });
    drawConsumers();
    await loadKeys();
  }

  function toggleConsumer(consumer: ApiConsumer) {
    return toggleDisabled({
      disabled: consumer.disabled,
      confirm: {
        title: `Disable “${consumer.name}”?`,
        message: 'All its keys stop working at once, until you enable it again.',
        confirmLabel: 'Disable consumer',
      },
      update: (disabled) => api('PATCH', `/api/consumers/${segment(consumer.id)}`, { disabled }),
      refresh: reloadConsumers,
      focusFallback: consumersList.heading,
      announcement: (disabling) =>
        `“${consumer.name}” is ${disabling ? 'disabled: its keys are refused' : 'enabled again'}.`,
    });
  }

  function deleteConsumer(consumer: ApiConsumer) {
    return confirmAction({
      title: `Delete “${consumer.name}”?`,
      message: 'The consumer and all its keys are deleted; the keys stop working at once. This cannot be undone.',
      confirmLabel: 'Delete consumer',
      action: async () => {
        await api('DELETE', `/api/consumers/${segment(consumer.id)}`);
        if (state.selectedId !== consumer.id) return;
        state.selectedId = null;
        setQuery({ consumer: null });
      },
      refresh: reloadConsumers,
      focusFallback: consumersList.heading,
      announcement: `The consumer “${consumer.name}” and its keys are deleted.`,
    });
  }

  // ---- keys -------------------------------------------------------------------------------------

  function selected() {
    return state.consumers.find((consumer) => consumer.id === state.selectedId) ?? null;
  }

  async function loadKeys() {
    const consumer = selected();
    if (!consumer) {
      state.keys = [];
      frame.consumerId = null;
      replace(keysSection);
      return;
    }
    state.keys = await api<ApiKey[]>('GET', `/api/consumers/${segment(consumer.id)}/keys`, undefined, { signal });
    state.usage = await loadUsage(visibleKeys(), (key) => `/api/keys/${segment(key.id)}/usage`, signal);
    if (frame.consumerId !== consumer.id) drawKeysFrame(consumer);
    drawKeys(consumer);
  }

  function visibleKeys() {
    return state.showInactive ? state.keys : state.keys.filter((key) => key.status === 'active');
  }

  function drawKeysFrame(consumer: ApiConsumer) {
    frame.consumerId = consumer.id;
    frame.notice = h('div');
    Object.assign(
      frame,
      drawDetailsFrame(keysSection, `Keys of ${consumer.name}`, frame.notice, keyForm(consumer).element),
    );
    keysSection.append(consumerPortalPanel(consumer, resources, signal));
  }

  function drawKeys(consumer: ApiConsumer) {
    const titleId = keysSection.getAttribute('aria-labelledby');
    const shown = visibleKeys();
    const inactive = state.keys.length - state.keys.filter((key) => key.status === 'active').length;
    const toggle =
      inactive > 0
        ? inactiveFilter({
            id: 'show-inactive-keys',
            label: `Show revoked and expired keys (${inactive})`,
            checked: state.showInactive,
            onChange: async (checked) => {
              state.showInactive = checked;
              await loadKeys();
            },
          })
        : null;
    replace(
      frame.notice,
      consumer.disabled
        ? h(
            'p',
            { class: 'notice notice-warning' },
            'This consumer is disabled: all its keys are refused until it is enabled.',
          )
        : null,
    );
    replace(
      frame.body,
      toggle,
      shown.length === 0
        ? emptyState(
            state.keys.length === 0 ? 'This consumer has no keys yet.' : 'No active keys.',
            'Create a key with only the scopes the application needs.',
          )
        : [
            table({
              caption: `Keys of ${consumer.name}`,
              captionHidden: true,
              columns: [
                'Name',
                'Starts with',
                'Scopes',
                'Limits',
                'Status',
                'Created',
                'Expires',
                'Last used',
                actionsColumn(),
              ],
              rows: shown.map((key) => [
                h('span', {}, key.name, ' ', badge(key.environment, key.environment === 'live' ? 'info' : 'neutral')),
                h('code', {}, `${key.displayPrefix}…`),
                grantList(key.grants),
                keyLimits(key),
                keyStatus(key),
                time(key.createdAt, '—', { dateOnly: true }),
                key.expiresAt
                  ? time(key.expiresAt, '—', { withRelative: key.status === 'active' })
                  : h('span', { class: 'muted' }, 'never'),
                lastUsedCell(key),
                h(
                  'div',
                  { class: 'row-actions' },
                  key.status === 'active' && !key.rolledToId
                    ? rowButton('Roll', key.name, { focusKey: `roll:${key.id}`, onClick: () => roll(key) })
                    : null,
                  key.status === 'active'
                    ? dangerRowButton('Revoke', key.name, `revoke:${key.id}`, () => revoke(key))
                    : null,
                  auditLink(key.id, key.name),
                ),
              ]),
            }),
            usageSection(titleId ?? 'keys', shown, state.usage),
          ],
    );
  }

  function keyForm(consumer: ApiConsumer) {
    const grants = grantsPicker({
      legend: 'Scopes',
      hint: 'A restricted key holds only these scopes. Pick what the application needs and nothing more.',
      resources,
    });
    return createForm({
      label: 'Create a key',
      title: `Create a key for ${consumer.name}`,
      submitLabel: 'Create key',
      fields: [
        nameField('Where the key is used, e.g. “Production sync”.'),
        radioGroup({
          legend: 'Environment',
          name: 'environment',
          value: 'live',
          options: KEY_ENVIRONMENTS,
        }),
        grants,
        keyLimitFields(),
      ],
      submit: (form) =>
        api<CreatedApiKey>(
          'POST',
          `/api/consumers/${segment(consumer.id)}/keys`,
          keyBody(form, grants, requiredName(form, 'key')),
          { signal },
        ),
      done: async (created) => {
        await loadKeys();
        showKey(created, 'created');
      },
    });
  }

  function showKey(created: CreatedApiKey, how: 'created' | 'rolled') {
    const keysHeading = frame.heading;
    showApiKey(frame.secretSlot, created, how, () => keysHeading.focus());
  }

  async function roll(key: ApiKey) {
    const rolled = await askToRoll(key, `/api/keys/${segment(key.id)}/roll`, signal);
    if (!rolled) return;
    await loadKeys();
    showKey(rolled, 'rolled');
    announce(`The key “${key.name}” is rolled. Copy the new key now.`);
  }

  function revoke(key: ApiKey) {
    return confirmAction({
      title: `Revoke the key “${key.name}”?`,
      message: 'Requests with this key are refused at once, everywhere. This cannot be undone.',
      confirmLabel: 'Revoke key',
      action: () => api('DELETE', `/api/keys/${segment(key.id)}`),
      refresh: loadKeys,
      focusFallback: () => frame.heading,
      announcement: `The key “${key.name}” is revoked.`,
    });
  }
}
