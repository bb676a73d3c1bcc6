// API consumers (registered applications) and their keys: create restricted keys, reveal once,
// roll with overlap, revoke; usage per key.
import { api, ApiError, segment } from '../api.js';
import { usageChart } from '../chart.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { badge, emptyState, grantList, h, hidden, replace, statusBadge, table, time, uid } from '../dom.js';
import { secretPanel } from '../secret.js';
import { announce, announceError, button, errorSummary, formValue, heading, radioGroup, redrawKeepingFocus, textArea, textField, whileSubmitting } from '../ui.js';
import { auditLink, cancelButton, disclosure, endOfDay, grantsPicker, loadResources, readGrants, setQuery, tomorrow } from './common.js';

const USAGE_DAYS = 14;

export async function render(page, { params, signal }) {
  const [consumers, resources] = await Promise.all([api('GET', '/api/consumers', undefined, { signal }), loadResources(signal)]);
  const state = { consumers, selectedId: params.get('consumer'), keys: [], usage: new Map(), showInactive: false };
  if (!state.consumers.some((consumer) => consumer.id === state.selectedId)) state.selectedId = state.consumers.length === 1 ? state.consumers[0].id : null;

  /** The selected consumer's keys: heading, create form and the slot for a new key stay while the list is redrawn. */
  const frame = { consumerId: null, heading: null, notice: null, secretSlot: null, body: null };
  const consumersHeading = heading(2, 'API consumers', { id: uid('consumers') });
  const consumersList = h('div');
  const keysSection = h('section', { class: 'keys' });
  const registerForm = consumerForm();

  page.append(
    heading(1, 'API consumers and keys'),
    h('p', { class: 'lead' }, 'An API consumer is an application that calls your APIs with keys, like an integration that syncs contacts. A key identifies the application, not a person; it carries a fixed set of scopes and can be limited by address, rate and expiry.'),
    registerForm.element,
    h('section', { 'aria-labelledby': consumersHeading.id }, consumersHeading, consumersList),
    keysSection,
  );
  drawConsumers();
  await loadKeys();

  // ---- consumers --------------------------------------------------------------------------------

  function consumerForm() {
    const form = h(
      'form',
      { method: 'post', novalidate: true },
      textField({ label: 'Name', name: 'name', required: true, hint: 'The application, e.g. “Zapflow integration”.', attributes: { maxlength: 100 } }),
      textField({ label: 'Contact email', name: 'contact', type: 'email', required: true, hint: 'Who to tell about its keys (rotation, leaks).', attributes: { maxlength: 254 } }),
      textArea({ label: 'Description', name: 'description', attributes: { maxlength: 1000 } }),
      errorSummary(),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Register consumer'), cancelButton(() => panel.close())),
    );
    const panel = disclosure({ label: 'Register a consumer', title: 'Register an API consumer', content: form });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { name: formValue(form, 'name'), contact: formValue(form, 'contact') };
      const description = formValue(form, 'description');
      if (description) body.description = description;
      const created = await whileSubmitting(form, () => api('POST', '/api/consumers', body, { signal }));
      if (!created) return;
      form.reset();
      panel.hide();
      state.consumers = await api('GET', '/api/consumers', undefined, { signal });
      await select(created.id);
      announce(`The consumer “${created.name}” is registered. Create its first key below.`);
    });
    return panel;
  }

  function drawConsumers() {
    if (state.consumers.length === 0) {
      return replace(consumersList, emptyState('No API consumers yet.', 'Register the application that will call your APIs, then create a key for it.'));
    }
    replace(
      consumersList,
      table({
        caption: 'Registered API consumers',
        captionHidden: true,
        columns: ['Name', 'Contact', 'Status', 'Registered', h('span', { class: 'visually-hidden' }, 'Actions')],
        rows: state.consumers.map((consumer) => [
          consumer.name,
          consumer.contact,
          statusBadge(consumer.disabled ? 'disabled' : 'enabled'),
          time(consumer.createdAt, '—', { dateOnly: true }),
          h(
            'div',
            { class: 'row-actions' },
            button(consumer.id === state.selectedId ? ['Showing keys', hidden(` of ${consumer.name}`)] : ['Keys', hidden(` of ${consumer.name}`)], {
              small: true,
              tone: consumer.id === state.selectedId ? 'primary' : undefined,
              focusKey: `keys:${consumer.id}`,
              onClick: () => select(consumer.id, true),
            }),
            button([consumer.disabled ? 'Enable' : 'Disable', hidden(` ${consumer.name}`)], { small: true, focusKey: `toggle:${consumer.id}`, onClick: () => toggleConsumer(consumer) }),
            button(['Delete', hidden(` ${consumer.name}`)], { small: true, tone: 'danger', focusKey: `delete:${consumer.id}`, onClick: () => deleteConsumer(consumer) }),
          ),
        ]),
        rowAttributes: (index) => ({ class: state.consumers[index].id === state.selectedId ? 'row-selected' : undefined }),
      }),
    );
  }

  async function select(id, focus = false) {
    state.selectedId = id;
    state.showInactive = false;
    setQuery({ consumer: id });
    drawConsumers();
    await loadKeys();
    if (focus) keysSection.querySelector('h2')?.focus();
  }

  async function toggleConsumer(consumer) {
    const disabling = !consumer.disabled;
    if (disabling) {
      const confirmed = await confirmDialog({
        title: `Disable “${consumer.name}”?`,
        message: 'All its keys stop working at once, until you enable it again.',
        confirmLabel: 'Disable consumer',
        action: () => api('PATCH', `/api/consumers/${segment(consumer.id)}`, { disabled: true }),
      });
      if (!confirmed) return;
    } else {
      try {
        await api('PATCH', `/api/consumers/${segment(consumer.id)}`, { disabled: false });
      } catch (error) {
        return announceError(error);
      }
    }
    await redrawKeepingFocus(async () => {
      state.consumers = await api('GET', '/api/consumers', undefined, { signal });
      drawConsumers();
      await loadKeys();
    }, consumersHeading);
    announce(`“${consumer.name}” is ${disabling ? 'disabled: its keys are refused' : 'enabled again'}.`);
  }

  async function deleteConsumer(consumer) {
    const confirmed = await confirmDialog({
      title: `Delete “${consumer.name}”?`,
      message: 'The consumer and all its keys are deleted; the keys stop working at once. This cannot be undone.',
      confirmLabel: 'Delete consumer',
      action: () => api('DELETE', `/api/consumers/${segment(consumer.id)}`),
    });
    if (!confirmed) return;
    if (state.selectedId === consumer.id) {
      state.selectedId = null;
      setQuery({ consumer: null });
    }
    await redrawKeepingFocus(async () => {
      state.consumers = await api('GET', '/api/consumers', undefined, { signal });
      drawConsumers();
      await loadKeys();
    }, consumersHeading);
    announce(`The consumer “${consumer.name}” and its keys are deleted.`);
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
    state.keys = await api('GET', `/api/consumers/${segment(consumer.id)}/keys`, undefined, { signal });
    const shown = visibleKeys();
    const usage = await Promise.all(shown.map((key) => api('GET', `/api/keys/${segment(key.id)}/usage?days=${USAGE_DAYS}`, undefined, { signal }).catch(() => null)));
    state.usage = new Map(shown.map((key, index) => [key.id, usage[index]]));
    if (frame.consumerId !== consumer.id) drawKeysFrame(consumer);
    drawKeys(consumer);
  }

  function visibleKeys() {
    return state.showInactive ? state.keys : state.keys.filter((key) => key.status === 'active');
  }

  function drawKeysFrame(consumer) {
    const titleId = uid('keys-title');
    frame.consumerId = consumer.id;
    frame.heading = heading(2, `Keys of ${consumer.name}`, { id: titleId });
    frame.secretSlot = h('div', { class: 'secret-slot' });
    frame.notice = h('div');
    frame.body = h('div');
    keysSection.setAttribute('aria-labelledby', titleId);
    replace(keysSection, frame.heading, frame.notice, keyForm(consumer).element, frame.secretSlot, frame.body);
  }

  function drawKeys(consumer) {
    const titleId = keysSection.getAttribute('aria-labelledby');
    const shown = visibleKeys();
    const inactive = state.keys.length - state.keys.filter((key) => key.status === 'active').length;
    const toggle =
      inactive > 0
        ? h(
            'div',
            { class: 'check list-filter' },
            h('input', {
              type: 'checkbox',
              id: 'show-inactive-keys',
              checked: state.showInactive,
              onChange: async (event) => {
                state.showInactive = event.target.checked;
                await loadKeys();
                document.getElementById('show-inactive-keys')?.focus();
              },
            }),
            h('label', { for: 'show-inactive-keys' }, `Show revoked and expired keys (${inactive})`),
          )
        : null;
    replace(frame.notice, consumer.disabled ? h('p', { class: 'notice notice-warning' }, 'This consumer is disabled: all its keys are refused until it is enabled.') : null);
    replace(
      frame.body,
      toggle,
      shown.length === 0
        ? emptyState(state.keys.length === 0 ? 'This consumer has no keys yet.' : 'No active keys.', 'Create a key with only the scopes the application needs.')
        : [
            table({
              caption: `Keys of ${consumer.name}`,
              captionHidden: true,
              columns: ['Name', 'Starts with', 'Scopes', 'Limits', 'Status', 'Created', 'Expires', 'Last used', h('span', { class: 'visually-hidden' }, 'Actions')],
              rows: shown.map((key) => [
                h('span', {}, key.name, ' ', badge(key.environment, key.environment === 'live' ? 'info' : 'neutral')),
                h('code', {}, `${key.displayPrefix}…`),
                grantList(key.grants),
                limits(key),
                h(
                  'span',
                  {},
                  statusBadge(key.status),
                  key.rolledToId ? [h('br'), h('span', { class: 'muted' }, key.status === 'active' ? 'rolled: works until the overlap ends' : 'replaced by a rolled key')] : null,
                  key.rolledFromId ? [h('br'), h('span', { class: 'muted' }, 'rolled from an older key')] : null,
                ),
                time(key.createdAt, '—', { dateOnly: true }),
                key.expiresAt ? time(key.expiresAt, '—', { withRelative: key.status === 'active' }) : h('span', { class: 'muted' }, 'never'),
                key.lastUsedAt ? h('span', {}, time(key.lastUsedAt), key.lastUsedAddress ? h('span', { class: 'muted' }, ` from ${key.lastUsedAddress}`) : null) : h('span', { class: 'muted' }, 'never'),
                h(
                  'div',
                  { class: 'row-actions' },
                  key.status === 'active' && !key.rolledToId ? button(['Roll', hidden(` ${key.name}`)], { small: true, focusKey: `roll:${key.id}`, onClick: () => roll(key) }) : null,
                  key.status === 'active' ? button(['Revoke', hidden(` ${key.name}`)], { small: true, tone: 'danger', focusKey: `revoke:${key.id}`, onClick: () => revoke(key) }) : null,
                  auditLink(key.id, key.name),
                ),
              ]),
            }),
            h(
              'section',
              { class: 'usage-section', 'aria-labelledby': `${titleId}-usage` },
              h('h3', { id: `${titleId}-usage` }, `Requests in the last ${USAGE_DAYS} days`),
              shown.map((key) => {
                const usage = state.usage.get(key.id);
                return h(
                  'div',
                  { class: 'usage-key' },
                  h('h4', {}, key.name, ' ', h('code', {}, `${key.displayPrefix}…`)),
                  usage ? usageChart({ label: `the key ${key.name}`, usage, days: USAGE_DAYS }) : h('p', { class: 'muted' }, 'Usage could not be loaded.'),
                  h('p', { class: 'muted' }, 'Last used: ', key.lastUsedAt ? [time(key.lastUsedAt, '—', { withRelative: true }), key.lastUsedAddress ? ` from ${key.lastUsedAddress}` : ''] : 'never'),
                );
              }),
            ),
          ],
    );
  }

  function limits(key) {
    const parts = [];
    if (key.rateLimit) parts.push(h('li', {}, `${key.rateLimit.requests} requests / ${key.rateLimit.perSeconds} s`));
    if (key.ipAllowlist?.length) parts.push(h('li', {}, `from ${key.ipAllowlist.join(', ')}`));
    return parts.length > 0 ? h('ul', { class: 'plain' }, parts) : h('span', { class: 'muted' }, 'none');
  }

  function keyForm(consumer) {
    const grants = grantsPicker({ legend: 'Scopes', hint: 'A restricted key holds only these scopes. Pick what the application needs and nothing more.', resources });
    const form = h(
      'form',
      { method: 'post', novalidate: true },
      textField({ label: 'Name', name: 'name', required: true, hint: 'Where the key is used, e.g. “Production sync”.', attributes: { maxlength: 100 } }),
      radioGroup({ legend: 'Environment', name: 'environment', value: 'live', options: [{ value: 'live', label: 'Live (tgk_live_…)' }, { value: 'test', label: 'Test (tgk_test_…)' }] }),
      grants,
      h(
        'fieldset',
        { class: 'group' },
        h('legend', {}, 'Limits (optional)'),
        textField({ label: 'Expires after', name: 'expiresOn', type: 'date', hint: 'Leave empty for a key that works until revoked or rolled.', attributes: { min: tomorrow() } }),
        textArea({ label: 'Allowed addresses', name: 'ipAllowlist', hint: 'One IP address or CIDR block per line, e.g. 203.0.113.0/24. Empty: any address.', rows: 2 }),
        h(
          'div',
          { class: 'inline-fields' },
          textField({ label: 'Rate limit: requests', name: 'rateRequests', type: 'number', attributes: { min: 1, max: 100000, inputmode: 'numeric' } }),
          textField({ label: 'per seconds', name: 'ratePerSeconds', type: 'number', attributes: { min: 1, max: 86400, inputmode: 'numeric' } }),
        ),
      ),
      errorSummary(),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Create key'), cancelButton(() => panel.close())),
    );
    const panel = disclosure({ label: 'Create a key', title: `Create a key for ${consumer.name}`, content: form });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const created = await whileSubmitting(form, () => {
        const body = { name: formValue(form, 'name'), environment: formValue(form, 'environment'), grants: readGrants(grants) };
        if (!body.name) throw new ApiError(400, 'Give the key a name.', { body: { errors: ['name must be 1–100 characters'] } });
        if (body.grants.length === 0) throw new ApiError(400, 'Pick at least one scope: a key without scopes can do nothing.');
        const expiresOn = formValue(form, 'expiresOn');
        if (expiresOn) body.expiresAt = endOfDay(expiresOn);
        const allowlist = formValue(form, 'ipAllowlist').split(/[\s,]+/).filter(Boolean);
        if (allowlist.length > 0) body.ipAllowlist = allowlist;
        const requests = formValue(form, 'rateRequests');
        const perSeconds = formValue(form, 'ratePerSeconds');
        if (requests || perSeconds) {
          if (!requests || !perSeconds) throw new ApiError(400, 'A rate limit needs both numbers: how many requests, per how many seconds.');
          body.rateLimit = { requests: Number(requests), perSeconds: Number(perSeconds) };
        }
        return api('POST', `/api/consumers/${segment(consumer.id)}/keys`, body, { signal });
      });
      if (!created) return;
      form.reset();
      panel.hide();
      await loadKeys();
      showSecret(created, 'created');
    });
    return panel;
  }

  function showSecret(created, how) {
    const slot = frame.secretSlot;
    const keysHeading = frame.heading;
    const panel = secretPanel({
      what: 'API key',
      secret: created.key,
      name: created.name,
      details: h('p', {}, how === 'rolled' ? 'This key replaces the one you rolled. ' : '', 'The application sends it as ', h('code', {}, 'Authorization: Bearer <key>'), ' or ', h('code', {}, 'X-API-Key: <key>'), '.'),
      onDone: () => keysHeading?.focus(),
    });
    replace(slot, panel);
    panel.focusTitle();
  }

  async function roll(key) {
    const overlap = textField({
      label: 'The old key keeps working for (minutes)',
      name: 'minutes',
      type: 'number',
      value: '60',
      required: true,
      hint: 'Time to deploy the new key. 0 stops the old key at once; at most 43200 (30 days).',
      attributes: { min: 0, max: 43200, inputmode: 'numeric' },
    });
    const created = await formDialog({
      title: `Roll the key “${key.name}”?`,
      description: h('p', {}, 'A new key with the same scopes and limits replaces it. You will see the new key once.'),
      content: overlap,
      submitLabel: 'Roll key',
      onSubmit: (form) => {
        const minutes = Number(formValue(form, 'minutes'));
        if (!Number.isInteger(minutes) || minutes < 0 || minutes > 43200) throw new ApiError(400, 'The overlap must be a whole number of minutes between 0 and 43200.', { body: { errors: ['minutes must be between 0 and 43200'] } });
        return api('POST', `/api/keys/${segment(key.id)}/roll`, { expireCurrentInMinutes: minutes }, { signal });
      },
    });
    if (!created) return;
    await loadKeys();
    showSecret(created, 'rolled');
    announce(`The key “${key.name}” is rolled. Copy the new key now.`);
  }

  async function revoke(key) {
    const confirmed = await confirmDialog({
      title: `Revoke the key “${key.name}”?`,
      message: 'Requests with this key are refused at once, everywhere. This cannot be undone.',
      confirmLabel: 'Revoke key',
      action: () => api('DELETE', `/api/keys/${segment(key.id)}`),
    });
    if (!confirmed) return;
    await redrawKeepingFocus(loadKeys, frame.heading);
    announce(`The key “${key.name}” is revoked.`);
  }
}
