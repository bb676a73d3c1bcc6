// Account settings → personal access tokens: list, create (secret shown once), revoke.
import { api, ApiError, segment } from '../api.js';
import type { CreatedPersonalAccessToken, PatPolicy, PersonalAccessToken } from '../api-types.js';
import { confirmAction } from '../components/confirm-action.js';
import { createForm, nameField, requiredName } from '../components/create-form.js';
import { showSecret } from '../components/secret-panel.js';
import { actionsColumn, inactiveFilter, lastUsedCell, table } from '../components/table.js';
import { badge, DAY_MS, emptyState, h, replace, scopeList, statusBadge, time, type Child } from '../dom.js';
import {
  checkboxGroup,
  checkedValues,
  type Field,
  formValue,
  listSection,
  radioGroup,
  dangerRowButton,
  textField,
} from '../ui.js';
import { endOfDay } from './common.js';
import type { PageContext } from './page.js';

const PRESETS = [7, 30, 90];
const EXPIRING_DAYS = 7;

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Tokens let your scripts and tools call Tollgate-protected APIs as you, with only the scopes you pick. A token stops working when it expires, when you revoke it, or when you lose the access it carries; your password is never affected.';

export async function render(page: HTMLElement, { session, signal }: PageContext): Promise<void> {
  const [tokens, expiring, policy] = await Promise.all([
    api<PersonalAccessToken[]>('GET', '/api/me/tokens', undefined, { signal }),
    api<PersonalAccessToken[]>('GET', `/api/me/tokens?expiring=${EXPIRING_DAYS}d`, undefined, { signal }),
    readPolicy(signal),
  ]);
  const state = { tokens, expiringIds: new Set(expiring.map((token) => token.id)), policy, showInactive: false };

  const secretSlot = h('div', { class: 'secret-slot' });
  const banner = h('div');
  const list = listSection('Your tokens', 'tokens-heading');

  page.append(banner, secretSlot, tokenForm().element, list.element);
  drawBanner();
  drawList();

  async function reload() {
    const [fresh, soon] = await Promise.all([
      api<PersonalAccessToken[]>('GET', '/api/me/tokens', undefined, { signal }),
      api<PersonalAccessToken[]>('GET', `/api/me/tokens?expiring=${EXPIRING_DAYS}d`, undefined, { signal }),
    ]);
    state.tokens = fresh;
    state.expiringIds = new Set(soon.map((token) => token.id));
    drawBanner();
    drawList();
  }

  function drawBanner() {
    const soon = state.tokens.filter((token) => state.expiringIds.has(token.id));
    if (soon.length === 0) return replace(banner);
    return replace(
      banner,
      h(
        'div',
        { class: 'notice notice-warning' },
        h(
          'p',
          {},
          h(
            'strong',
            {},
            `${soon.length === 1 ? 'One token expires' : `${soon.length} tokens expire`} within ${EXPIRING_DAYS} days: `,
          ),
          soon.map((token) => token.name).join(', '),
          '.',
        ),
        h('p', {}, 'Create a replacement, move your scripts to it, then revoke the old token.'),
      ),
    );
  }

  function drawList() {
    const active = state.tokens.filter((token) => token.status === 'active');
    const inactive = state.tokens.filter((token) => token.status !== 'active');
    const shown = state.showInactive ? state.tokens : active;
    const toggle =
      inactive.length > 0
        ? inactiveFilter({
            id: 'show-inactive-tokens',
            label: `Show revoked and expired tokens (${inactive.length})`,
            checked: state.showInactive,
            onChange: (checked) => {
              state.showInactive = checked;
              drawList();
            },
          })
        : null;
    if (shown.length === 0) {
      return replace(
        list.body,
        toggle,
        emptyState(
          'You have no active tokens.',
          session.permissions.length > 0
            ? 'Create one above for a script or a tool; it will carry only the scopes you pick.'
            : 'You hold no scopes yet, so a token could do nothing. Ask an administrator for a role first.',
        ),
      );
    }
    return replace(
      list.body,
      toggle,
      table({
        caption: `${shown.length} token${shown.length === 1 ? '' : 's'}`,
        captionHidden: true,
        columns: [
          'Name',
          'Scopes',
          'Restricted to',
          'Starts with',
          'Created',
          'Expires',
          'Last used',
          'Status',
          actionsColumn(),
        ],
        rows: shown.map((token) => [
          token.name,
          scopeList(token.scopes),
          token.resources.length > 0
            ? h(
                'ul',
                { class: 'plain' },
                token.resources.map((resource) => h('li', {}, resource)),
              )
            : h('span', { class: 'muted' }, 'any API you can use'),
          h('code', {}, `${token.displayPrefix}…`),
          time(token.createdAt, '—', { dateOnly: true }),
          expiryCell(token),
          lastUsedCell(token),
          statusBadge(token.status),
          token.status === 'active'
            ? dangerRowButton('Revoke', token.name, `revoke:${token.id}`, () => revoke(token))
            : '',
        ]),
        rowAttributes: (index) => ({
          class: state.expiringIds.has(shown[index]?.id ?? '') ? 'row-warning' : undefined,
          'data-token-id': shown[index]?.id,
        }),
      }),
    );
  }

  function expiryCell(token: PersonalAccessToken) {
    if (!token.expiresAt) return h('span', {}, 'never');
    const soon = state.expiringIds.has(token.id);
    return h(
      'span',
      {},
      time(token.expiresAt, '—', { withRelative: token.status === 'active' }),
      soon ? [' ', badge('Expires soon', 'warning')] : null,
    );
  }

  function revoke(token: PersonalAccessToken) {
    return confirmAction({
      title: `Revoke the token “${token.name}”?`,
      message: 'Scripts and tools that use it stop working at once, everywhere. This cannot be undone.',
      confirmLabel: 'Revoke token',
      action: () => api('DELETE', `/api/me/tokens/${segment(token.id)}`),
      refresh: reload,
      focusFallback: list.heading,
      announcement: `The token “${token.name}” is revoked.`,
    });
  }

  function tokenForm() {
    const resources = session.permissions.map((entry) => entry.resource);
    const scopeGroups = session.permissions.map((entry) =>
      checkboxGroup({
        legend: entry.resource,
        legendClass: 'legend-minor',
        name: 'scopes',
        options: entry.scopes.map((scope) => ({ value: scope, label: scope })),
      }),
    );
    const scopes = h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, 'Scopes'),
      h(
        'p',
        { class: 'hint' },
        'Pick only what the token needs. These are the scopes you hold now; if you lose one later, the token loses it too.',
      ),
      scopeGroups.length > 0
        ? scopeGroups
        : h(
            'p',
            { class: 'notice notice-warning' },
            'You hold no scopes, so you cannot create a useful token. Ask an administrator for a role.',
          ),
    );
    // The same scope name under two resources is one scope of the token: keep their boxes in step.
    scopes.addEventListener('change', (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || box.name !== 'scopes') return;
      for (const other of scopes.querySelectorAll<HTMLInputElement>('input[name="scopes"]'))
        if (other !== box && other.value === box.value) other.checked = box.checked;
    });
    const options = resources.map((resource) => ({ value: resource, label: resource }));
    const restriction =
      resources.length > 1
        ? checkboxGroup({
            legend: 'Restrict to these APIs (optional)',
            name: 'resource',
            options,
            hint: 'Leave all unchecked to let the token work everywhere you have access.',
          })
        : resources.length === 1
          ? checkboxGroup({
              legend: 'Restrict to this API (optional)',
              name: 'resource',
              options,
              hint: 'Unchecked, the token also works with APIs you gain access to later.',
            })
          : null;
    const expiry = h('div');
    let dateField!: Field<HTMLInputElement>;
    expiry.addEventListener('change', () => {
      dateField.hidden = expiryChoice() !== 'custom';
    });
    drawExpiry();

    function expiryChoice(): string {
      return expiry.querySelector<HTMLInputElement>('input[name="expiry"]:checked')?.value ?? '';
    }

    function drawExpiry() {
      const max = state.policy?.maxLifetimeDays ?? null;
      const presets = PRESETS.filter((days) => max === null || days <= max);
      if (max !== null && !presets.includes(max) && max < 3650) presets.push(max);
      const options = presets.map((days) => ({ value: String(days), label: `${days} days` }));
      options.push({ value: 'custom', label: 'On a date' });
      if (state.policy?.allowNoExpiry) options.push({ value: 'never', label: 'No expiry (not recommended)' });
      const previous = expiryChoice();
      const selected = options.some((option) => option.value === previous)
        ? previous
        : presets.includes(30)
          ? '30'
          : (options[0]?.value ?? 'custom');
      // The token works until the end of the chosen day, so the last allowed day is one short of the maximum.
      const latest = max === null ? undefined : new Date(Date.now() + (max - 1) * DAY_MS).toISOString().slice(0, 10);
      dateField = textField({
        label: 'Expiry date',
        name: 'expiresOn',
        type: 'date',
        required: true,
        hint: 'The token works until the end of this day (your time).',
        attributes: { min: new Date(Date.now() + DAY_MS).toISOString().slice(0, 10), max: latest },
      });
      dateField.hidden = selected !== 'custom';
      replace(
        expiry,
        radioGroup({
          legend: 'Expires',
          name: 'expiry',
          value: selected,
          options,
          hint:
            max === null
              ? 'Tokens must expire; your organisation sets the longest lifetime allowed.'
              : `Your organisation allows tokens to live at most ${max} days.`,
        }),
        dateField,
      );
    }

    /** The policy changed since the page was drawn (a refusal says so): read it again and redraw the choices. */
    async function refreshPolicy(error: unknown) {
      if (!(error instanceof ApiError) || error.status !== 400 || !/maximum lifetime|no expiry/.test(error.message))
        return;
      state.policy = await readPolicy(signal);
      drawExpiry();
    }

    return createForm({
      id: 'create-token',
      formClass: 'stack',
      label: 'Create a token',
      title: 'Create a personal access token',
      submitLabel: 'Create token',
      fields: [
        nameField('What the token is for, e.g. “deploy script”. Unique among your active tokens.'),
        scopes,
        restriction,
        expiry,
      ],
      submit: async (form) => {
        const chosen = [...new Set(checkedValues(form, 'scopes'))];
        const body: Record<string, unknown> = { name: requiredName(form, 'token'), scopes: chosen };
        const restrictTo = restriction ? checkedValues(form, 'resource') : [];
        if (restrictTo.length > 0) body.resource = restrictTo;
        const choice = formValue(form, 'expiry');
        if (choice === 'custom') {
          const day = formValue(form, 'expiresOn');
          if (day) body.expiresAt = endOfDay(day);
        } else if (choice !== 'never') body.expiresInDays = Number(choice);
        if (chosen.length === 0)
          throw new ApiError(400, 'Pick at least one scope: a token without scopes can do nothing.');
        if (choice === 'custom' && !body.expiresAt)
          throw new ApiError(400, 'Pick the expiry date.', { body: { errors: ['expiresOn: pick a date'] } });
        try {
          return await api<CreatedPersonalAccessToken>('POST', '/api/me/tokens', body, { signal });
        } catch (error) {
          await refreshPolicy(error).catch(() => undefined);
          throw error;
        }
      },
      done: async (created) => {
        drawExpiry();
        dateField.hidden = true;
        showToken(created);
        await reload();
      },
    });
  }

  function showToken(created: CreatedPersonalAccessToken) {
    showSecret(secretSlot, {
      what: 'personal access token',
      secret: created.token,
      name: created.name,
      details: h(
        'p',
        {},
        'Send it as ',
        h('code', {}, 'Authorization: Bearer <token>'),
        '. It carries ',
        created.scopes.join(', '),
        created.expiresAt ? [' and expires on ', time(created.expiresAt)] : ' and never expires',
        '.',
      ),
      onDone: () => list.heading.focus(),
    });
  }
}

/** The lifetime policy for new tokens, which every person may read (the admin settings page writes it). */
function readPolicy(signal: AbortSignal): Promise<PatPolicy> {
  return api<PatPolicy>('GET', '/api/me/tokens/policy', undefined, { signal });
}
