// Users: people and service accounts, their roles, disabling, and their personal access tokens
// (admins create tokens for service accounts; people create their own).
import { api, ApiError, segment } from '../api.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { badge, emptyState, h, hidden, replace, scopeList, statusBadge, table, time, uid } from '../dom.js';
import { secretPanel } from '../secret.js';
import { announce, announceError, button, checkboxGroup, checkedValues, errorSummary, formValue, heading, radioGroup, redrawKeepingFocus, textField, whileSubmitting } from '../ui.js';
import { auditLink, cancelButton, disclosure, setQuery } from './common.js';

export async function render(page, { session, params, signal }) {
  const [users, roles] = await Promise.all([api('GET', '/api/users?limit=500', undefined, { signal }), api('GET', '/api/roles', undefined, { signal })]);
  const state = { users, selectedId: users.some((user) => user.id === params.get('user')) ? params.get('user') : null, tokens: [] };
  const listHeading = heading(2, 'People and service accounts', { id: uid('users') });
  const list = h('div');
  const tokensSection = h('section', { class: 'user-tokens' });
  const tokensFrame = { userId: null };

  page.append(
    heading(1, 'Users'),
    h('p', { class: 'lead' }, 'People sign in to this console and create their own tokens; service accounts belong to the organisation and never sign in: administrators create their tokens. Roles give scopes on resources; every token of a user follows their roles at once.'),
    createForm().element,
    h('section', { 'aria-labelledby': listHeading.id }, listHeading, list),
    tokensSection,
  );
  draw();
  await loadTokens();

  async function reload() {
    state.users = await api('GET', '/api/users?limit=500', undefined, { signal });
    draw();
    await loadTokens();
  }

  function draw() {
    if (state.users.length === 0) return replace(list, emptyState('No users yet.', 'Create a person who will sign in, or a service account for organisation-wide automation.'));
    replace(
      list,
      table({
        caption: 'Users',
        captionHidden: true,
        columns: ['Name', 'Kind', 'Roles', 'Status', 'Last sign-in', h('span', { class: 'visually-hidden' }, 'Actions')],
        rows: state.users.map((user) => [
          h('span', {}, user.displayName, h('br'), h('span', { class: 'muted' }, user.email), user.id === session.user.id ? [' ', badge('you', 'info')] : null),
          user.kind === 'service_account' ? badge('service account', 'neutral') : 'person',
          user.roles.length > 0 ? h('ul', { class: 'chips' }, user.roles.map((role) => h('li', {}, h('code', {}, role)))) : h('span', { class: 'muted' }, 'none'),
          statusBadge(user.disabled ? 'disabled' : 'enabled'),
          user.kind === 'person' ? time(user.lastLoginAt, 'never') : h('span', { class: 'muted' }, 'cannot sign in'),
          h(
            'div',
            { class: 'row-actions' },
            button(user.id === state.selectedId ? ['Showing tokens', hidden(` of ${user.email}`)] : ['Tokens', hidden(` of ${user.email}`)], { small: true, tone: user.id === state.selectedId ? 'primary' : undefined, focusKey: `tokens:${user.id}`, onClick: () => select(user.id) }),
            button(['Roles', hidden(` of ${user.email}`)], { small: true, focusKey: `roles:${user.id}`, onClick: () => editRoles(user) }),
            user.id !== session.user.id ? button([user.disabled ? 'Enable' : 'Disable', hidden(` ${user.email}`)], { small: true, focusKey: `toggle:${user.id}`, onClick: () => toggle(user) }) : null,
            user.id !== session.user.id ? button(['Delete', hidden(` ${user.email}`)], { small: true, tone: 'danger', focusKey: `delete:${user.id}`, onClick: () => remove(user) }) : null,
            auditLink(user.id, user.email),
          ),
        ]),
        rowAttributes: (index) => ({ class: state.users[index].id === state.selectedId ? 'row-selected' : undefined }),
      }),
    );
  }

  function roleOptions() {
    return roles.map((role) => ({ value: role.name, label: role.name, hint: role.description ?? undefined }));
  }

  function createForm() {
    const password = textField({ label: 'Initial password', name: 'password', type: 'password', required: true, autocomplete: 'new-password', hint: '12–256 characters, not the email address. Tell the person through a separate channel.', attributes: { minlength: 12, maxlength: 256 } });
    const kind = radioGroup({ legend: 'Kind', name: 'kind', value: 'person', options: [{ value: 'person', label: 'Person (signs in to the console)' }, { value: 'service_account', label: 'Service account (organisation-wide automation; never signs in)' }] });
    kind.addEventListener('change', () => {
      password.hidden = formValue(form, 'kind') !== 'person';
    });
    const form = h(
      'form',
      { method: 'post', novalidate: true },
      textField({ label: 'Email', name: 'email', type: 'email', required: true, hint: 'Unique. For a service account, an address that names it, e.g. ci-bot@example.com.', attributes: { maxlength: 254, autocapitalize: 'off', spellcheck: 'false' } }),
      textField({ label: 'Display name', name: 'displayName', required: true, attributes: { maxlength: 100 } }),
      kind,
      password,
      roles.length > 0 ? checkboxGroup({ legend: 'Roles', name: 'roles', options: roleOptions(), hint: 'The scopes the user holds; their tokens can never carry more.' }) : null,
      errorSummary(),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Create user'), cancelButton(() => panel.close())),
    );
    const panel = disclosure({ label: 'Create a user', title: 'Create a user', content: form });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const created = await whileSubmitting(form, () => {
        const body = { email: formValue(form, 'email'), displayName: formValue(form, 'displayName'), kind: formValue(form, 'kind'), roles: checkedValues(form, 'roles') };
        if (body.kind === 'person') body.password = form.elements.namedItem('password').value;
        if (!body.displayName) throw new ApiError(400, 'Give the user a display name.', { body: { errors: ['displayName must be 1–100 characters'] } });
        return api('POST', '/api/users', body, { signal });
      });
      if (!created) return;
      form.reset();
      password.hidden = false;
      panel.hide();
      await redrawKeepingFocus(reload, listHeading);
      listHeading.focus();
      announce(`${created.kind === 'person' ? 'The person' : 'The service account'} ${created.email} is created.`);
    });
    return panel;
  }

  async function editRoles(user) {
    const group = checkboxGroup({ legend: 'Roles', name: 'roles', options: roleOptions(), checked: user.roles });
    const updated = await formDialog({
      title: `Roles of ${user.email}`,
      description: h('p', {}, 'Their sessions and personal access tokens follow the new roles at once.'),
      content: group,
      submitLabel: 'Save roles',
      onSubmit: (form) => api('PUT', `/api/users/${segment(user.id)}/roles`, { roles: checkedValues(form, 'roles') }, { signal }),
    });
    if (!updated) return;
    await redrawKeepingFocus(reload, listHeading);
    announce(`The roles of ${user.email} are saved.`);
  }

  async function toggle(user) {
    const disabling = !user.disabled;
    if (disabling) {
      const confirmed = await confirmDialog({
        title: `Disable ${user.email}?`,
        message: 'They are signed out, cannot sign in, and all their personal access tokens stop working at once, until you enable them again.',
        confirmLabel: 'Disable user',
        action: () => api('PATCH', `/api/users/${segment(user.id)}`, { disabled: true }, { signal }),
      });
      if (!confirmed) return;
    } else {
      try {
        await api('PATCH', `/api/users/${segment(user.id)}`, { disabled: false }, { signal });
      } catch (error) {
        return announceError(error);
      }
    }
    await redrawKeepingFocus(reload, listHeading);
    announce(`${user.email} is ${disabling ? 'disabled' : 'enabled again'}.`);
  }

  async function remove(user) {
    const confirmed = await confirmDialog({
      title: `Delete ${user.email}?`,
      message: 'The user, their sessions and all their personal access tokens are deleted; the tokens stop working at once. This cannot be undone.',
      confirmLabel: 'Delete user',
      action: () => api('DELETE', `/api/users/${segment(user.id)}`, undefined, { signal }),
    });
    if (!confirmed) return;
    if (state.selectedId === user.id) {
      state.selectedId = null;
      setQuery({ user: null });
    }
    await redrawKeepingFocus(reload, listHeading);
    announce(`${user.email} is deleted.`);
  }

  // ---- the selected user's tokens ---------------------------------------------------------------

  async function select(id, focus = true) {
    state.selectedId = id;
    setQuery({ user: id });
    draw();
    await loadTokens();
    if (focus) tokensSection.querySelector('h2')?.focus();
  }

  async function loadTokens() {
    const user = state.users.find((candidate) => candidate.id === state.selectedId);
    if (!user) {
      tokensFrame.userId = null;
      replace(tokensSection);
      return;
    }
    state.tokens = await api('GET', `/api/users/${segment(user.id)}/tokens`, undefined, { signal });
    if (tokensFrame.userId !== user.id) drawTokensFrame(user);
    drawTokens(user);
  }

  function drawTokensFrame(user) {
    const titleId = uid('user-tokens');
    tokensFrame.userId = user.id;
    tokensFrame.heading = heading(2, `Tokens of ${user.email}`, { id: titleId });
    tokensFrame.secretSlot = h('div', { class: 'secret-slot' });
    tokensFrame.body = h('div');
    tokensSection.setAttribute('aria-labelledby', titleId);
    replace(
      tokensSection,
      tokensFrame.heading,
      user.kind === 'service_account' ? serviceTokenForm(user).element : h('p', { class: 'muted' }, 'People create their own tokens in their account settings; you can revoke them here.'),
      tokensFrame.secretSlot,
      tokensFrame.body,
    );
  }

  function drawTokens(user) {
    const active = state.tokens.filter((token) => token.status === 'active');
    replace(
      tokensFrame.body,
      active.length > 1 ? h('div', { class: 'toolbar' }, button(['Revoke all tokens', hidden(` of ${user.email}`)], { small: true, tone: 'danger', focusKey: `revoke-all:${user.id}`, onClick: () => revokeAll(user) })) : null,
      state.tokens.length === 0
        ? emptyState(`${user.email} has no tokens.`)
        : table({
            caption: `Tokens of ${user.email}`,
            captionHidden: true,
            columns: ['Name', 'Scopes', 'Starts with', 'Created', 'Expires', 'Last used', 'Status', h('span', { class: 'visually-hidden' }, 'Actions')],
            rows: state.tokens.map((token) => [
              token.name,
              scopeList(token.scopes),
              h('code', {}, `${token.displayPrefix}…`),
              time(token.createdAt, '—', { dateOnly: true }),
              token.expiresAt ? time(token.expiresAt) : h('span', { class: 'muted' }, 'never'),
              token.lastUsedAt ? h('span', {}, time(token.lastUsedAt), token.lastUsedAddress ? h('span', { class: 'muted' }, ` from ${token.lastUsedAddress}`) : null) : h('span', { class: 'muted' }, 'never'),
              statusBadge(token.status),
              h('div', { class: 'row-actions' }, token.status === 'active' ? button(['Revoke', hidden(` ${token.name}`)], { small: true, tone: 'danger', focusKey: `revoke:${token.id}`, onClick: () => revokeToken(user, token) }) : null, auditLink(token.id, token.name)),
            ]),
          }),
    );
  }

  function serviceTokenForm(user) {
    // A service account holds the scopes of its roles; the token may carry any of them.
    const held = new Map();
    for (const role of roles.filter((candidate) => user.roles.includes(candidate.name))) {
      for (const grant of role.grants) {
        if (!held.has(grant.resource)) held.set(grant.resource, new Set());
        for (const scope of grant.scopes) held.get(grant.resource).add(scope);
      }
    }
    const scopeGroups = [...held].map(([resource, scopes]) => checkboxGroup({ legend: resource, legendClass: 'legend-minor', name: 'scopes', options: [...scopes].sort().map((scope) => ({ value: scope, label: scope })) }));
    const form = h(
      'form',
      { method: 'post', novalidate: true },
      textField({ label: 'Name', name: 'name', required: true, attributes: { maxlength: 100 } }),
      h('fieldset', { class: 'group' }, h('legend', {}, 'Scopes'), scopeGroups.length > 0 ? scopeGroups : h('p', { class: 'notice notice-warning' }, 'This service account has no roles, so a token could do nothing. Give it a role first.')),
      textField({ label: 'Lifetime (days)', name: 'expiresInDays', type: 'number', required: true, value: '30', hint: 'Within the organisation’s maximum lifetime for tokens.', attributes: { min: 1, max: 3650, inputmode: 'numeric' } }),
      errorSummary(),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Create token'), cancelButton(() => panel.close())),
    );
    const panel = disclosure({ label: 'Create a token', title: `Create a token for ${user.email}`, content: form });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const created = await whileSubmitting(form, () => {
        const body = { name: formValue(form, 'name'), scopes: [...new Set(checkedValues(form, 'scopes'))], expiresInDays: Number(formValue(form, 'expiresInDays')) };
        if (body.scopes.length === 0) throw new ApiError(400, 'Pick at least one scope: a token without scopes can do nothing.');
        return api('POST', `/api/users/${segment(user.id)}/tokens`, body, { signal });
      });
      if (!created) return;
      form.reset();
      panel.hide();
      await loadTokens();
      const secret = secretPanel({ what: 'personal access token', secret: created.token, name: created.name, onDone: () => tokensFrame.heading.focus() });
      replace(tokensFrame.secretSlot, secret);
      secret.focusTitle();
    });
    return panel;
  }

  async function revokeToken(user, token) {
    const confirmed = await confirmDialog({
      title: `Revoke the token “${token.name}” of ${user.email}?`,
      message: 'Whatever uses it is refused at once, everywhere. This cannot be undone.',
      confirmLabel: 'Revoke token',
      action: () => api('DELETE', `/api/users/${segment(user.id)}/tokens/${segment(token.id)}`, undefined, { signal }),
    });
    if (!confirmed) return;
    await redrawKeepingFocus(loadTokens, tokensFrame.heading);
    announce(`The token “${token.name}” of ${user.email} is revoked.`);
  }

  async function revokeAll(user) {
    const confirmed = await confirmDialog({
      title: `Revoke every token of ${user.email}?`,
      message: 'All their personal access tokens are refused at once, everywhere. Their password and sessions are not affected.',
      confirmLabel: 'Revoke all tokens',
      action: () => api('DELETE', `/api/users/${segment(user.id)}/tokens`, undefined, { signal }),
    });
    if (!confirmed) return;
    await redrawKeepingFocus(loadTokens, tokensFrame.heading);
    announce(`Every token of ${user.email} is revoked.`);
  }
}
