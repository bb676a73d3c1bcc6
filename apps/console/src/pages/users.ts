// Users: people and service accounts, their roles, disabling, and their personal access tokens
// (admins create tokens for service accounts; people create their own).
import { api, ApiError, segment } from '../api.js';
import type { CreatedPersonalAccessToken, PersonalAccessToken, Role, User } from '../api-types.js';
import { confirmAction, toggleDisabled } from '../components/confirm-action.js';
import { createForm, nameField } from '../components/create-form.js';
import { drawDetailsFrame } from '../components/details-frame.js';
import { showSecret } from '../components/secret-panel.js';
import { actionsColumn, drawList, lastUsedCell, table } from '../components/table.js';
import { badge, emptyState, h, replace, scopeList, statusBadge, time, type Child } from '../dom.js';
import {
  announce,
  checkboxGroup,
  checkedValues,
  control,
  formValue,
  listSection,
  numberField,
  radioGroup,
  redrawKeepingFocus,
  dangerRowButton,
  detailsButton,
  enableToggleButton,
  rowButton,
  textField,
} from '../ui.js';
import { auditLink, setQuery } from './common.js';
import { type PageContext, signedInUser } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'People sign in to this console and create their own tokens; service accounts belong to the organisation and never sign in: administrators create their tokens. Roles give scopes on resources; every token of a user follows their roles at once.';

/** The choices of the create form's radio group. */
const USER_KINDS = [
  { value: 'person', label: 'Person (signs in to the console)' },
  { value: 'service_account', label: 'Service account (organisation-wide automation; never signs in)' },
];

export async function render(page: HTMLElement, { session, params, signal }: PageContext): Promise<void> {
  const me = signedInUser(session);
  const [users, roles] = await Promise.all([
    api<User[]>('GET', '/api/users?limit=500', undefined, { signal }),
    api<Role[]>('GET', '/api/roles', undefined, { signal }),
  ]);
  const requested = params.get('user');
  const state = {
    users,
    selectedId: users.some((user) => user.id === requested) ? requested : null,
    tokens: [] as PersonalAccessToken[],
  };
  const list = listSection('People and service accounts', 'users');
  const tokensSection = h('section', { class: 'user-tokens' });
  const tokensFrame = { userId: null as string | null, heading: h('h2'), secretSlot: h('div'), body: h('div') };

  page.append(userForm().element, list.element, tokensSection);
  draw();
  await loadTokens();

  async function reload() {
    state.users = await api<User[]>('GET', '/api/users?limit=500', undefined, { signal });
    draw();
    await loadTokens();
  }

  function draw() {
    drawList(list.body, {
      caption: 'Users',
      columns: ['Name', 'Kind', 'Roles', 'Status', 'Last sign-in', actionsColumn()],
      rows: state.users.map((user) => [
        h(
          'span',
          {},
          user.displayName,
          h('br'),
          h('span', { class: 'muted' }, user.email),
          user.id === me.id ? [' ', badge('you', 'info')] : null,
        ),
        user.kind === 'service_account' ? badge('service account', 'neutral') : 'person',
        user.roles.length > 0
          ? h(
              'ul',
              { class: 'chips' },
              user.roles.map((role) => h('li', {}, h('code', {}, role))),
            )
          : h('span', { class: 'muted' }, 'none'),
        statusBadge(user.disabled ? 'disabled' : 'enabled'),
        user.kind === 'person' ? time(user.lastLoginAt, 'never') : h('span', { class: 'muted' }, 'cannot sign in'),
        h(
          'div',
          { class: 'row-actions' },
          detailsButton('tokens', user.email, {
            showing: user.id === state.selectedId,
            focusKey: `tokens:${user.id}`,
            onClick: () => select(user.id),
          }),
          rowButton('Roles', `of ${user.email}`, { focusKey: `roles:${user.id}`, onClick: () => editRoles(user) }),
          user.id !== me.id
            ? enableToggleButton(user.disabled, user.email, `toggle:${user.id}`, () => toggle(user))
            : null,
          user.id !== me.id ? dangerRowButton('Delete', user.email, `delete:${user.id}`, () => remove(user)) : null,
          auditLink(user.id, user.email),
        ),
      ]),
      rowAttributes: (index) => ({ class: state.users[index]?.id === state.selectedId ? 'row-selected' : undefined }),
      empty: emptyState(
        'No users yet.',
        'Create a person who will sign in, or a service account for organisation-wide automation.',
      ),
    });
  }

  function roleOptions() {
    return roles.map((role) => ({ value: role.name, label: role.name, hint: role.description ?? undefined }));
  }

  function userForm() {
    const password = textField({
      label: 'Initial password',
      name: 'password',
      type: 'password',
      required: true,
      autocomplete: 'new-password',
      hint: '12–256 characters, not the email address. Tell the person through a separate channel.',
      attributes: { minlength: 12, maxlength: 256 },
    });
    const kind = radioGroup({
      legend: 'Kind',
      name: 'kind',
      value: 'person',
      options: USER_KINDS,
    });
    const showPassword = (form: HTMLFormElement) => {
      password.hidden = formValue(form, 'kind') !== 'person';
    };
    const created = createForm({
      title: 'Create a user',
      submitLabel: 'Create user',
      fields: [
        textField({
          label: 'Email',
          name: 'email',
          type: 'email',
          required: true,
          hint: 'Unique. For a service account, an address that names it, e.g. ci-bot@example.com.',
          attributes: { maxlength: 254, autocapitalize: 'off', spellcheck: 'false' },
        }),
        textField({ label: 'Display name', name: 'displayName', required: true, attributes: { maxlength: 100 } }),
        kind,
        password,
        roles.length > 0
          ? checkboxGroup({
              legend: 'Roles',
              name: 'roles',
              options: roleOptions(),
              hint: 'The scopes the user holds; their tokens can never carry more.',
            })
          : null,
      ],
      submit: (form) => {
        const body: Record<string, unknown> = {
          email: formValue(form, 'email'),
          displayName: formValue(form, 'displayName'),
          kind: formValue(form, 'kind'),
          roles: checkedValues(form, 'roles'),
        };
        if (body.kind === 'person') body.password = control(form, 'password').value;
        if (!body.displayName)
          throw new ApiError(400, 'Give the user a display name.', {
            body: { errors: ['displayName must be 1–100 characters'] },
          });
        return api<User>('POST', '/api/users', body, { signal });
      },
      done: async (user, form) => {
        showPassword(form);
        await redrawKeepingFocus(reload, list.heading);
        list.heading.focus();
        announce(`${user.kind === 'person' ? 'The person' : 'The service account'} ${user.email} is created.`);
      },
    });
    kind.addEventListener('change', () => showPassword(created.form));
    return created;
  }

  function editRoles(user: User) {
    const group = checkboxGroup({ legend: 'Roles', name: 'roles', options: roleOptions(), checked: user.roles });
    return confirmAction({
      title: `Roles of ${user.email}`,
      message: h('p', {}, 'Their sessions and personal access tokens follow the new roles at once.'),
      content: group,
      confirmLabel: 'Save roles',
      tone: 'primary',
      action: () =>
        api('PUT', `/api/users/${segment(user.id)}/roles`, { roles: checkedValues(group, 'roles') }, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: `The roles of ${user.email} are saved.`,
    });
  }

  function toggle(user: User) {
    return toggleDisabled({
      disabled: user.disabled,
      confirm: {
        title: `Disable ${user.email}?`,
        message:
          'They are signed out, cannot sign in, and all their personal access tokens stop working at once, until you enable them again.',
        confirmLabel: 'Disable user',
      },
      update: (disabled) => api('PATCH', `/api/users/${segment(user.id)}`, { disabled }, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: (disabling) => `${user.email} is ${disabling ? 'disabled' : 'enabled again'}.`,
    });
  }

  function remove(user: User) {
    return confirmAction({
      title: `Delete ${user.email}?`,
      message:
        'The user, their sessions and all their personal access tokens are deleted; the tokens stop working at once. This cannot be undone.',
      confirmLabel: 'Delete user',
      action: async () => {
        await api('DELETE', `/api/users/${segment(user.id)}`, undefined, { signal });
        if (state.selectedId !== user.id) return;
        state.selectedId = null;
        setQuery({ user: null });
      },
      refresh: reload,
      focusFallback: list.heading,
      announcement: `${user.email} is deleted.`,
    });
  }

  // ---- the selected user's tokens ---------------------------------------------------------------

  async function select(id: string) {
    state.selectedId = id;
    setQuery({ user: id });
    draw();
    await loadTokens();
    tokensSection.querySelector('h2')?.focus();
  }

  async function loadTokens() {
    const user = state.users.find((candidate) => candidate.id === state.selectedId);
    if (!user) {
      tokensFrame.userId = null;
      replace(tokensSection);
      return;
    }
    state.tokens = await api<PersonalAccessToken[]>('GET', `/api/users/${segment(user.id)}/tokens`, undefined, {
      signal,
    });
    if (tokensFrame.userId !== user.id) drawTokensFrame(user);
    drawTokens(user);
  }

  function drawTokensFrame(user: User) {
    tokensFrame.userId = user.id;
    Object.assign(
      tokensFrame,
      drawDetailsFrame(
        tokensSection,
        `Tokens of ${user.email}`,
        user.kind === 'service_account'
          ? serviceTokenForm(user).element
          : h(
              'p',
              { class: 'muted' },
              'People create their own tokens in their account settings; you can revoke them here.',
            ),
      ),
    );
  }

  function drawTokens(user: User) {
    const active = state.tokens.filter((token) => token.status === 'active');
    replace(
      tokensFrame.body,
      active.length > 1
        ? h(
            'div',
            { class: 'toolbar' },
            dangerRowButton('Revoke all tokens', `of ${user.email}`, `revoke-all:${user.id}`, () => revokeAll(user)),
          )
        : null,
      state.tokens.length === 0
        ? emptyState(`${user.email} has no tokens.`)
        : table({
            caption: `Tokens of ${user.email}`,
            captionHidden: true,
            columns: ['Name', 'Scopes', 'Starts with', 'Created', 'Expires', 'Last used', 'Status', actionsColumn()],
            rows: state.tokens.map((token) => [
              token.name,
              scopeList(token.scopes),
              h('code', {}, `${token.displayPrefix}…`),
              time(token.createdAt, '—', { dateOnly: true }),
              token.expiresAt ? time(token.expiresAt) : h('span', { class: 'muted' }, 'never'),
              lastUsedCell(token),
              statusBadge(token.status),
              h(
                'div',
                { class: 'row-actions' },
                token.status === 'active'
                  ? dangerRowButton('Revoke', token.name, `revoke:${token.id}`, () => revokeToken(user, token))
                  : null,
                auditLink(token.id, token.name),
              ),
            ]),
          }),
    );
  }

  function serviceTokenForm(user: User) {
    // A service account holds the scopes of its roles; the token may carry any of them.
    const held = new Map<string, Set<string>>();
    for (const role of roles.filter((candidate) => user.roles.includes(candidate.name))) {
      for (const grant of role.grants)
        held.set(grant.resource, new Set([...(held.get(grant.resource) ?? []), ...grant.scopes]));
    }
    const scopeGroups = [...held].map(([resource, scopes]) =>
      checkboxGroup({
        legend: resource,
        legendClass: 'legend-minor',
        name: 'scopes',
        options: [...scopes].sort().map((scope) => ({ value: scope, label: scope })),
      }),
    );
    return createForm({
      label: 'Create a token',
      title: `Create a token for ${user.email}`,
      submitLabel: 'Create token',
      fields: [
        nameField(),
        h(
          'fieldset',
          { class: 'group' },
          h('legend', {}, 'Scopes'),
          scopeGroups.length > 0
            ? scopeGroups
            : h(
                'p',
                { class: 'notice notice-warning' },
                'This service account has no roles, so a token could do nothing. Give it a role first.',
              ),
        ),
        numberField({
          label: 'Lifetime (days)',
          name: 'expiresInDays',
          required: true,
          value: '30',
          hint: 'Within the organisation’s maximum lifetime for tokens.',
          min: 1,
          max: 3650,
        }),
      ],
      submit: (form) => {
        const body = {
          name: formValue(form, 'name'),
          scopes: [...new Set(checkedValues(form, 'scopes'))],
          expiresInDays: Number(formValue(form, 'expiresInDays')),
        };
        if (body.scopes.length === 0)
          throw new ApiError(400, 'Pick at least one scope: a token without scopes can do nothing.');
        return api<CreatedPersonalAccessToken>('POST', `/api/users/${segment(user.id)}/tokens`, body, { signal });
      },
      done: async (created) => {
        await loadTokens();
        const tokensHeading = tokensFrame.heading;
        showSecret(tokensFrame.secretSlot, {
          what: 'personal access token',
          secret: created.token,
          name: created.name,
          onDone: () => tokensHeading.focus(),
        });
      },
    });
  }

  function revokeToken(user: User, token: PersonalAccessToken) {
    return confirmAction({
      title: `Revoke the token “${token.name}” of ${user.email}?`,
      message: 'Whatever uses it is refused at once, everywhere. This cannot be undone.',
      confirmLabel: 'Revoke token',
      action: () => api('DELETE', `/api/users/${segment(user.id)}/tokens/${segment(token.id)}`, undefined, { signal }),
      refresh: loadTokens,
      focusFallback: tokensFrame.heading,
      announcement: `The token “${token.name}” of ${user.email} is revoked.`,
    });
  }

  function revokeAll(user: User) {
    return confirmAction({
      title: `Revoke every token of ${user.email}?`,
      message:
        'All their personal access tokens are refused at once, everywhere. Their password and sessions are not affected.',
      confirmLabel: 'Revoke all tokens',
      action: () => api('DELETE', `/api/users/${segment(user.id)}/tokens`, undefined, { signal }),
      refresh: loadTokens,
      focusFallback: tokensFrame.heading,
      announcement: `Every token of ${user.email} is revoked.`,
    });
  }
}
