// M2M applications and devices (OAuth 2.0 clients): register (secret shown once), rotate secrets
// with an overlap, grant scopes, disable, revoke their tokens, delete.
import { api, ApiError, segment } from '../api.js';
import type { Client, ClientSecret, CreatedClient } from '../api-types.js';
import { confirmAction, toggleDisabled } from '../components/confirm-action.js';
import { createForm, nameField, requiredName } from '../components/create-form.js';
import { showSecret } from '../components/secret-panel.js';
import { actionsColumn, drawList } from '../components/table.js';
import { formDialog } from '../dialog.js';
import { badge, emptyState, grantList, h, hidden, statusBadge, time, type Child } from '../dom.js';
import {
  announce,
  checkbox,
  formValue,
  isChecked,
  listSection,
  numberField,
  radioGroup,
  dangerRowButton,
  enableToggleButton,
  rowButton,
  selectField,
  textArea,
  textField,
} from '../ui.js';
import { auditLink, grantsPicker, loadResources, readGrants } from './common.js';
import type { PageContext } from './page.js';

const CLIENT_KINDS = [
  { value: 'service', label: 'Service (server-to-server)' },
  { value: 'device', label: 'Device (connects to the MQTT broker)' },
];
const AUTH_METHODS = [
  { value: 'client_secret_basic', label: 'Client secret in HTTP Basic (recommended)' },
  { value: 'client_secret_post', label: 'Client secret in the form body' },
  { value: 'private_key_jwt', label: 'Signed JWT (private_key_jwt, RFC 7523): no shared secret' },
  {
    value: 'self_signed_tls_client_auth',
    label: 'Its own TLS client certificate (self_signed_tls_client_auth, RFC 8705): no shared secret',
  },
];
/** Clients that authenticate with keys (a registered JWK set) and have no secret. */
const KEYED = new Set(['private_key_jwt', 'self_signed_tls_client_auth']);
const METHOD_NAMES: Record<string, string> = {
  client_secret_basic: 'secret (Basic)',
  client_secret_post: 'secret (form)',
  private_key_jwt: 'private_key_jwt',
  self_signed_tls_client_auth: 'TLS client certificate',
};

const BINDING_NAMES = { dpop: 'DPoP-bound tokens only', mtls: 'certificate-bound tokens only' } as const;

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Services and devices get short-lived access tokens with the OAuth 2.0 client credentials grant: they present their client id and secret (or a signed JWT) at /oauth/token. A device’s client id is also its MQTT client id.';

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  const [clients, resources] = await Promise.all([
    api<Client[]>('GET', '/api/clients', undefined, { signal }),
    loadResources(signal),
  ]);
  const state = { clients };
  const list = listSection('Registered applications and devices', 'clients');
  const secretSlot = h('div', { class: 'secret-slot' });

  page.append(registerForm().element, secretSlot, list.element);
  draw();

  async function reload() {
    state.clients = await api<Client[]>('GET', '/api/clients', undefined, { signal });
    draw();
  }

  function draw() {
    drawList(list.body, {
      caption: 'Applications and devices',
      columns: ['Application', 'Authenticates with', 'Scopes', 'Secrets', actionsColumn()],
      rows: state.clients.map((client) => [
        h(
          'span',
          {},
          client.name,
          h('br'),
          h('code', {}, client.id),
          h('br'),
          badge(client.kind, client.kind === 'device' ? 'info' : 'neutral'),
          ' ',
          statusBadge(client.disabled ? 'disabled' : 'enabled'),
          h('br'),
          h('span', { class: 'muted' }, 'since ', time(client.createdAt, '—', { dateOnly: true })),
          client.tokensValidAfter
            ? [h('br'), h('span', { class: 'muted' }, 'tokens before ', time(client.tokensValidAfter), ' refused')]
            : null,
        ),
        h(
          'span',
          {},
          METHOD_NAMES[client.tokenEndpointAuthMethod] ?? client.tokenEndpointAuthMethod,
          h('br'),
          client.requiredBinding === 'none'
            ? h('span', { class: 'muted' }, 'bearer or bound tokens')
            : badge(BINDING_NAMES[client.requiredBinding], 'info'),
          client.allowTokenExchange ? [h('br'), h('span', { class: 'muted' }, 'may exchange PATs')] : null,
        ),
        grantList(client.grants),
        secrets(client),
        h(
          'div',
          { class: 'row-actions' },
          !KEYED.has(client.tokenEndpointAuthMethod)
            ? rowButton('Rotate secret', `of ${client.name}`, {
                focusKey: `rotate:${client.id}`,
                onClick: () => rotate(client),
              })
            : null,
          rowButton('Scopes', `of ${client.name}`, {
            focusKey: `grants:${client.id}`,
            onClick: () => editGrants(client),
          }),
          rowButton(client.requiredBinding === 'none' ? 'Require DPoP' : 'Allow bearer tokens', `for ${client.name}`, {
            focusKey: `binding:${client.id}`,
            onClick: () => changeBinding(client),
          }),
          enableToggleButton(client.disabled, client.name, `toggle:${client.id}`, () => toggle(client)),
          rowButton('Revoke tokens', `of ${client.name}`, {
            focusKey: `tokens:${client.id}`,
            onClick: () => revokeTokens(client),
          }),
          dangerRowButton('Delete', client.name, `delete:${client.id}`, () => remove(client)),
          auditLink(client.id, client.name),
        ),
      ]),
      empty: emptyState(
        'No applications or devices yet.',
        'Register a service (such as service-a) or a device (such as a thermostat) to give it credentials.',
      ),
    });
  }

  function secrets(client: Client) {
    if (KEYED.has(client.tokenEndpointAuthMethod)) return h('span', { class: 'muted' }, 'public keys (JWKS)');
    if (client.secrets.length === 0) return h('span', { class: 'muted' }, 'none: rotate to issue one');
    return h(
      'ul',
      { class: 'plain' },
      client.secrets.map((secret) =>
        h(
          'li',
          {},
          h('code', {}, `${secret.displayPrefix}…`),
          ' ',
          secret.active
            ? secret.expiresAt
              ? h('span', { class: 'muted' }, 'until ', time(secret.expiresAt))
              : h('span', { class: 'muted' }, 'no expiry')
            : badge('expired', 'warning'),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              'data-focus-key': `secret:${secret.id}`,
              onClick: () => revokeSecret(client, secret),
            },
            'Revoke',
            hidden(` secret ${secret.displayPrefix} of ${client.name}`),
          ),
        ),
      ),
    );
  }

  function registerForm() {
    const grants = grantsPicker({
      legend: 'Scopes',
      hint: 'What the application may ask for, per resource. Grant the least it needs.',
      resources,
    });
    const jwks = textArea({
      label: 'Public keys (JWKS)',
      name: 'jwks',
      required: true,
      hint: 'The application’s public JWK set as JSON: {"keys":[…]}. It signs its client assertions with the private key.',
      rows: 4,
    });
    jwks.hidden = true;
    const method = selectField({
      label: 'Authentication',
      name: 'tokenEndpointAuthMethod',
      options: AUTH_METHODS,
      value: 'client_secret_basic',
      required: true,
    });
    const secretDays = numberField({
      label: 'Secret lifetime (days)',
      name: 'secretExpiresInDays',
      hint: 'Empty: the secret works until you rotate or revoke it.',
      min: 1,
      max: 3650,
    });
    const showMethodFields = () => {
      jwks.hidden = !KEYED.has(method.control.value);
      secretDays.hidden = KEYED.has(method.control.value);
    };
    method.control.addEventListener('change', showMethodFields);
    return createForm({
      title: 'Register an application or device',
      submitLabel: 'Register',
      fields: [
        nameField('e.g. “Email marketing (service-a)” or “Living-room thermostat”.'),
        radioGroup({
          legend: 'Kind',
          name: 'kind',
          value: 'service',
          options: CLIENT_KINDS,
        }),
        textField({
          label: 'Client id',
          name: 'id',
          hint: '3–64 letters, digits, “.”, “_” or “-”. Left empty, one is generated. For a device, its MQTT client id.',
          attributes: { maxlength: 64, pattern: '[A-Za-z0-9._\\-]{3,64}', autocapitalize: 'off', spellcheck: 'false' },
        }),
        method,
        jwks,
        secretDays,
        grants,
        checkbox({
          label: 'May exchange users’ personal access tokens for short-lived JWTs (RFC 8693 token exchange)',
          name: 'allowTokenExchange',
        }),
        checkbox({
          label: 'Require DPoP: every token it gets is bound to its key, useless to whoever copies it (RFC 9449)',
          name: 'requireDpop',
        }),
      ],
      submit: (form) => {
        const body: Record<string, unknown> = {
          name: requiredName(form, 'application'),
          kind: formValue(form, 'kind'),
          tokenEndpointAuthMethod: formValue(form, 'tokenEndpointAuthMethod'),
          grants: readGrants(grants),
          allowTokenExchange: isChecked(form, 'allowTokenExchange'),
          requiredBinding: isChecked(form, 'requireDpop') ? 'dpop' : 'none',
        };
        const id = formValue(form, 'id');
        if (id) body.id = id;
        if (KEYED.has(String(body.tokenEndpointAuthMethod))) {
          try {
            body.jwks = JSON.parse(formValue(form, 'jwks'));
          } catch {
            throw new ApiError(400, 'The public keys must be a JSON JWK set, like {"keys":[{…}]}.', {
              body: { errors: ['jwks must be JSON'] },
            });
          }
        } else {
          const days = formValue(form, 'secretExpiresInDays');
          if (days) body.secretExpiresInDays = Number(days);
        }
        return api<CreatedClient>('POST', '/api/clients', body, { signal });
      },
      done: async (created) => {
        showMethodFields();
        await reload();
        if (created.clientSecret) showClientSecret(created.id, created.name, created.clientSecret);
        else {
          list.heading.focus();
          announce(
            `“${created.name}” is registered with client id ${created.id}. It authenticates with its private key.`,
          );
        }
      },
    });
  }

  function showClientSecret(clientId: string, name: string, secret: string) {
    showSecret(secretSlot, {
      what: 'client secret',
      secret,
      name,
      details: h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'Client id'),
        h('dd', {}, h('code', {}, clientId)),
        h('dt', {}, 'Token endpoint'),
        h('dd', {}, h('code', {}, `${location.origin}/oauth/token`)),
      ),
      onDone: () => list.heading.focus(),
    });
  }

  async function rotate(client: Client) {
    const overlap = numberField({
      label: 'Current secrets keep working for (minutes)',
      name: 'overlap',
      value: '60',
      hint: 'Time to deploy the new secret. 0 stops them at once; empty leaves them as they are (revoke them later); at most 43200 (30 days).',
      min: 0,
      max: 43200,
    });
    const lifetime = numberField({
      label: 'New secret lifetime (days)',
      name: 'expiresInDays',
      hint: 'Empty: no expiry.',
      min: 1,
      max: 3650,
    });
    const rotated = await formDialog({
      title: `Rotate the secret of “${client.name}”?`,
      description: h('p', {}, 'A new secret is issued and shown once. Deploy it, then let the old secrets expire.'),
      content: [overlap, lifetime],
      submitLabel: 'Rotate secret',
      onSubmit: (form) => {
        const body: Record<string, number> = {};
        const minutes = formValue(form, 'overlap');
        if (minutes !== '') body.expireCurrentInMinutes = Number(minutes);
        const days = formValue(form, 'expiresInDays');
        if (days) body.expiresInDays = Number(days);
        return api<{ clientSecret: string }>('POST', `/api/clients/${segment(client.id)}/secrets`, body, { signal });
      },
    });
    if (!rotated) return;
    await reload();
    showClientSecret(client.id, client.name, rotated.value.clientSecret);
  }

  function revokeSecret(client: Client, secret: ClientSecret) {
    const last = client.secrets.filter((candidate) => candidate.active).length <= 1 && secret.active;
    return confirmAction({
      title: `Revoke the secret ${secret.displayPrefix}… of “${client.name}”?`,
      message: last
        ? 'It is the application’s only working secret: it will not get new tokens until you rotate. Tokens it already has stay valid until they expire.'
        : 'The application can no longer get tokens with it. Tokens it already has stay valid until they expire.',
      confirmLabel: 'Revoke secret',
      action: () => api('DELETE', `/api/clients/${segment(client.id)}/secrets/${segment(secret.id)}`),
      refresh: reload,
      focusFallback: list.heading,
      announcement: `The secret ${secret.displayPrefix}… of “${client.name}” is revoked.`,
    });
  }

  function editGrants(client: Client) {
    const picker = grantsPicker({ legend: 'Scopes', resources, selected: client.grants });
    return confirmAction({
      title: `Scopes of “${client.name}”`,
      message: h(
        'p',
        {},
        'Replaces what it may ask for; the tokens it gets from now on carry the new scopes. To cut access at once, also revoke its tokens.',
      ),
      content: picker,
      confirmLabel: 'Save scopes',
      tone: 'primary',
      action: () => api('PATCH', `/api/clients/${segment(client.id)}`, { grants: readGrants(picker) }, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: `The scopes of “${client.name}” are saved.`,
    });
  }

  function toggle(client: Client) {
    return toggleDisabled({
      disabled: client.disabled,
      confirm: {
        title: `Disable “${client.name}”?`,
        message:
          'It can no longer get tokens, and the tokens it has are refused at once. Enabling it again lets it ask for new tokens.',
        confirmLabel: 'Disable',
      },
      update: (disabled) => api('PATCH', `/api/clients/${segment(client.id)}`, { disabled }, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: (disabling) => `“${client.name}” is ${disabling ? 'disabled' : 'enabled again'}.`,
    });
  }

  function changeBinding(client: Client) {
    const requiredBinding = client.requiredBinding === 'none' ? 'dpop' : 'none';
    return confirmAction({
      title:
        requiredBinding === 'dpop'
          ? `Require DPoP-bound tokens for “${client.name}”?`
          : `Allow bearer tokens for “${client.name}” again?`,
      message:
        requiredBinding === 'dpop'
          ? 'Its token requests must then carry a DPoP proof (RFC 9449): each token is bound to its key, and a copied token is refused everywhere without that key. A client that cannot make proofs gets no more tokens; the tokens it holds keep working until they expire.'
          : 'It may then get bearer tokens again: whoever copies one can use it until it expires or is revoked.',
      confirmLabel: requiredBinding === 'dpop' ? 'Require DPoP' : 'Allow bearer tokens',
      action: () => api('PATCH', `/api/clients/${segment(client.id)}`, { requiredBinding }, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement:
        requiredBinding === 'dpop'
          ? `“${client.name}” now gets DPoP-bound tokens only.`
          : `“${client.name}” may get bearer tokens again.`,
    });
  }

  function revokeTokens(client: Client) {
    return confirmAction({
      title: `Revoke every token of “${client.name}”?`,
      message:
        'All access tokens issued to it until now are refused at once, on every API and on the MQTT broker (devices are disconnected). It can ask for new tokens with its secret.',
      confirmLabel: 'Revoke tokens',
      action: () => api('POST', `/api/clients/${segment(client.id)}/revoke-tokens`, undefined, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: `Every token issued to “${client.name}” until now is revoked.`,
    });
  }

  function remove(client: Client) {
    return confirmAction({
      title: `Delete “${client.name}”?`,
      message: 'Its secrets stop working and its tokens are refused at once. This cannot be undone.',
      confirmLabel: 'Delete',
      action: () => api('DELETE', `/api/clients/${segment(client.id)}`, undefined, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: `“${client.name}” is deleted.`,
    });
  }
}
