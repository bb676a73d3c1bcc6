// Resources and roles: the APIs tokens are issued for (indicator, scopes, token lifetime, required
// binding) and the roles that give people scopes on them. Users get roles on the Users page.
import { api, ApiError, segment } from '../api.js';
import type { Resource, Role } from '../api-types.js';
import { confirmAction } from '../components/confirm-action.js';
import { createForm, nameField, requiredName } from '../components/create-form.js';
import { actionsColumn, drawList } from '../components/table.js';
import { badge, emptyState, grantList, h, scopeList, type Child } from '../dom.js';
import {
  announce,
  dangerRowButton,
  formValue,
  listSection,
  numberField,
  redrawKeepingFocus,
  rowButton,
  selectField,
  textArea,
  textField,
} from '../ui.js';
import { grantsPicker, loadResources, readGrants } from './common.js';
import type { PageContext } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'A resource is an API that accepts Tollgate’s tokens, named by its resource indicator (the tokens’ audience); its scopes are what clients, roles and keys can be given. A role gives people scopes on resources; assign roles on the Users page.';

/** The verifiers refuse access tokens that live longer than a day. */
const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

const BINDINGS = [
  { value: 'none', label: 'Bearer or bound tokens' },
  { value: 'dpop', label: 'DPoP-bound tokens only (RFC 9449)' },
  { value: 'mtls', label: 'Certificate-bound tokens only (RFC 8705)' },
];
const BINDING_NAMES: Record<string, string> = { dpop: 'DPoP-bound only', mtls: 'certificate-bound only' };

/** Scopes typed as a list separated by spaces, commas or lines. */
function scopesOf(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

function lifetime(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** What the resource form reads, for create (with the indicator) and edit. */
function resourceFields(resource?: Resource): Child {
  return [
    resource
      ? null
      : textField({
          label: 'Resource indicator',
          name: 'indicator',
          required: true,
          hint: 'An absolute URI without a fragment (RFC 8707), e.g. https://billing.example.com. It becomes the aud of its tokens and cannot change later.',
          attributes: { maxlength: 2048, autocapitalize: 'off', spellcheck: 'false', inputmode: 'url' },
        }),
    resource
      ? textField({ label: 'Name', name: 'name', required: true, value: resource.name, attributes: { maxlength: 100 } })
      : nameField('Shown in the console, e.g. Billing API.'),
    textArea({
      label: 'Scopes',
      name: 'scopes',
      value: resource?.scopes.join(' '),
      hint: 'Separated by spaces or commas, e.g. invoices:read invoices:write. Removing a scope takes it out of every grant.',
      rows: 2,
    }),
    numberField({
      label: 'Access-token lifetime (seconds)',
      name: 'accessTokenTtl',
      value: String(resource?.accessTokenTtl ?? 900),
      min: 60,
      max: MAX_TOKEN_LIFETIME_SECONDS,
      hint: `60 to ${MAX_TOKEN_LIFETIME_SECONDS.toLocaleString('en')}. Shorter means a leaked token is useful for less time.`,
    }),
    selectField({
      label: 'Tokens for this API',
      name: 'requiredBinding',
      value: resource?.requiredBinding ?? 'none',
      options: BINDINGS,
    }),
  ];
}

function readResourceForm(form: HTMLFormElement) {
  const ttl = formValue(form, 'accessTokenTtl');
  return {
    name: requiredName(form, 'the resource'),
    scopes: scopesOf(formValue(form, 'scopes')),
    ...(ttl && { accessTokenTtl: Number(ttl) }),
    requiredBinding: formValue(form, 'requiredBinding'),
  };
}

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  const state = {
    resources: await loadResources(signal),
    roles: await api<Role[]>('GET', '/api/roles', undefined, { signal }),
  };
  const resourceList = listSection('Resources', 'resources');
  const roleList = listSection('Roles', 'roles');
  // The create-role form's scopes, drawn again when the resources change.
  let newRolePicker = rolePicker();
  page.append(resourceForm().element, resourceList.element, roleForm().element, roleList.element);
  draw();

  async function reload() {
    [state.resources, state.roles] = await Promise.all([
      loadResources(signal),
      api<Role[]>('GET', '/api/roles', undefined, { signal }),
    ]);
    const picker = rolePicker();
    newRolePicker.replaceWith(picker);
    newRolePicker = picker;
    draw();
  }

  function draw() {
    drawList(resourceList.body, {
      caption: 'Resources',
      columns: ['Resource', 'Scopes', 'Tokens', actionsColumn()],
      rows: state.resources.map((resource) => [
        h(
          'span',
          {},
          resource.name,
          resource.system ? [' ', badge('built in', 'info')] : null,
          h('br'),
          h('code', { class: 'break' }, resource.indicator),
        ),
        scopeList(resource.scopes),
        h(
          'span',
          {},
          `live ${lifetime(resource.accessTokenTtl)}`,
          h('br'),
          resource.requiredBinding === 'none'
            ? h('span', { class: 'muted' }, 'bearer or bound')
            : badge(BINDING_NAMES[resource.requiredBinding] ?? resource.requiredBinding, 'info'),
        ),
        h(
          'div',
          { class: 'row-actions' },
          resource.system
            ? h('span', { class: 'muted' }, 'Tollgate’s own API: its scopes are fixed')
            : [
                rowButton('Edit', resource.name, {
                  focusKey: `edit-resource:${resource.id}`,
                  onClick: () => editResource(resource),
                }),
                dangerRowButton('Delete', resource.name, `delete-resource:${resource.id}`, () =>
                  removeResource(resource),
                ),
              ],
        ),
      ]),
      empty: emptyState('No resources yet.', 'Register the APIs that accept Tollgate’s tokens.'),
    });
    drawList(roleList.body, {
      caption: 'Roles',
      columns: ['Role', 'Scopes it gives', actionsColumn()],
      rows: state.roles.map((role) => [
        h(
          'span',
          {},
          h('code', {}, role.name),
          role.system ? [' ', badge('built in', 'info')] : null,
          role.description ? [h('br'), h('span', { class: 'muted' }, role.description)] : null,
        ),
        grantList(role.grants),
        h(
          'div',
          { class: 'row-actions' },
          role.system
            ? h('span', { class: 'muted' }, 'Built in: its scopes are fixed')
            : [
                rowButton('Edit', role.name, { focusKey: `edit-role:${role.id}`, onClick: () => editRole(role) }),
                dangerRowButton('Delete', role.name, `delete-role:${role.id}`, () => removeRole(role)),
              ],
        ),
      ]),
      empty: emptyState('No roles yet.', 'Create a role, then give it to people on the Users page.'),
    });
  }

  function resourceForm() {
    return createForm({
      title: 'Register a resource',
      submitLabel: 'Register resource',
      fields: resourceFields(),
      submit: (form) =>
        api<Resource>(
          'POST',
          '/api/resources',
          { indicator: formValue(form, 'indicator'), ...readResourceForm(form) },
          {
            signal,
          },
        ),
      done: async (resource) => {
        await redrawKeepingFocus(reload, resourceList.heading);
        resourceList.heading.focus();
        announce(`The resource ${resource.name} (${resource.indicator}) is registered.`);
      },
    });
  }

  function editResource(resource: Resource) {
    const fields = h('div', {}, resourceFields(resource));
    return confirmAction({
      title: `Edit ${resource.name}`,
      message: h(
        'p',
        {},
        'Tokens issued from now on follow the new lifetime and binding; tokens already issued keep theirs until they expire.',
      ),
      content: fields,
      confirmLabel: 'Save resource',
      tone: 'primary',
      action: () => {
        const form = fields.closest('form');
        if (!form) throw new Error('The edit dialog has no form.');
        return api('PATCH', `/api/resources/${segment(resource.id)}`, readResourceForm(form), { signal });
      },
      refresh: reload,
      focusFallback: resourceList.heading,
      announcement: `${resource.name} is saved.`,
    });
  }

  function removeResource(resource: Resource) {
    return confirmAction({
      title: `Delete ${resource.name}?`,
      message: h(
        'p',
        {},
        'Clients and roles lose their scopes on it, and no new token names it as its audience. Tokens already issued for it keep working until they expire. This cannot be undone.',
      ),
      confirmLabel: 'Delete resource',
      action: () => api('DELETE', `/api/resources/${segment(resource.id)}`, undefined, { signal }),
      refresh: reload,
      focusFallback: resourceList.heading,
      announcement: `${resource.name} is deleted.`,
    });
  }

  function rolePicker(role?: Role) {
    return grantsPicker({
      legend: 'Scopes it gives',
      hint: 'People with the role hold these scopes; their sessions and personal access tokens follow at once.',
      resources: state.resources,
      selected: role?.grants,
    });
  }

  function roleFields(role?: Role): Child {
    return [
      textField({
        label: 'Name',
        name: 'roleName',
        required: true,
        value: role?.name,
        hint: 'Lower-case letters, digits and dashes, e.g. crm-editor.',
        attributes: { maxlength: 64, autocapitalize: 'off', spellcheck: 'false' },
      }),
      textField({
        label: 'Description',
        name: 'description',
        value: role?.description ?? undefined,
        attributes: { maxlength: 255 },
      }),
      role ? rolePicker(role) : newRolePicker,
    ];
  }

  function readRoleForm(form: HTMLFormElement) {
    const name = formValue(form, 'roleName');
    if (!name) throw new ApiError(400, 'Give the role a name.', { body: { errors: ['name must not be empty'] } });
    return { name, description: formValue(form, 'description'), grants: readGrants(form) };
  }

  function roleForm() {
    return createForm({
      title: 'Create a role',
      submitLabel: 'Create role',
      fields: roleFields(),
      submit: (form) => api<Role>('POST', '/api/roles', readRoleForm(form), { signal }),
      done: async (role) => {
        await redrawKeepingFocus(reload, roleList.heading);
        roleList.heading.focus();
        announce(`The role ${role.name} is created.`);
      },
    });
  }

  function editRole(role: Role) {
    const fields = h('div', {}, roleFields(role));
    return confirmAction({
      title: `Edit the role ${role.name}`,
      message: h('p', {}, 'Everyone with the role, and their personal access tokens, get the new scopes at once.'),
      content: fields,
      confirmLabel: 'Save role',
      tone: 'primary',
      action: () => {
        const form = fields.closest('form');
        if (!form) throw new Error('The edit dialog has no form.');
        return api('PATCH', `/api/roles/${segment(role.id)}`, readRoleForm(form), { signal });
      },
      refresh: reload,
      focusFallback: roleList.heading,
      announcement: `The role ${role.name} is saved.`,
    });
  }

  function removeRole(role: Role) {
    return confirmAction({
      title: `Delete the role ${role.name}?`,
      message: h(
        'p',
        {},
        'Everyone who has it loses its scopes at once, and so do their personal access tokens. This cannot be undone.',
      ),
      confirmLabel: 'Delete role',
      action: () => api('DELETE', `/api/roles/${segment(role.id)}`, undefined, { signal }),
      refresh: reload,
      focusFallback: roleList.heading,
      announcement: `The role ${role.name} is deleted.`,
    });
  }
}
