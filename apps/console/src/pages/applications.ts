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
  redrawKeepingFocus,
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
    value: 'tls_client_auth',
    label: 'A TLS client certificate from your CA that names it (tls_client_auth, RFC 8705): no shared secret',
  },
  {
    value: 'self_signed_tls_client_auth',
    label: 'Its own TLS client certificate (self_signed_tls_client_auth, RFC 8705): no shared secret',
  },
];
/** Clients that authenticate with keys (a registered JWK set) and have no secret. */
const KEYED = new Set(['private_key_jwt', 'self_signed_tls_client_auth']);
/** Clients with a secret (the others authenticate with keys or certificates). */
const WITH_SECRET = new Set(['client_secret_basic', 'client_secret_post']);
const METHOD_NAMES: Record<string, string> = {
  client_secret_basic: 'secret (Basic)',
  client_secret_post: 'secret (form)',
  private_key_jwt: 'private_key_jwt',
  tls_client_auth: 'CA-issued TLS client certificate',
  self_signed_tls_client_auth: 'TLS client certificate',
};

/** RFC 8705 §2.1.2: what a tls_client_auth client's certificate is recognised by (API field, label). */
const CERTIFICATE_NAMES = [
  { value: 'tlsClientAuthSubjectDn', label: 'Subject DN (RFC 4514, e.g. CN=thermostat-7,O=Acme,C=DE)' },
  { value: 'tlsClientAuthSanDns', label: 'DNS name (subject alternative name)' },
  { value: 'tlsClientAuthSanUri', label: 'URI (subject alternative name, e.g. spiffe://…)' },
  { value: 'tlsClientAuthSanIp', label: 'IP address (subject alternative name)' },
  { value: 'tlsClientAuthSanEmail', label: 'Email address (subject alternative name)' },
] as const;

const BINDINGS = [
  { value: 'none', label: 'Bearer or bound tokens, as it asks' },
  { value: 'dpop', label: 'DPoP-bound tokens only: each bound to its key, useless to whoever copies it (RFC 9449)' },
  {
    value: 'mtls',
    label: 'Certificate-bound tokens only: from the mTLS endpoint, bound to its TLS client certificate (RFC 8705)',
  },
];
const BINDING_NAMES = { dpop: 'DPoP-bound tokens only', mtls: 'certificate-bound tokens only' } as const;

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Services and devices get short-lived access tokens with the OAuth 2.0 client credentials grant: they present their client id and secret (or a signed JWT) at /oauth/token. A device’s client id is also its MQTT client id.';

/** Management-API scopes that a resource server or the broker runs with. */
const SERVICE_SCOPES = ['tokens:introspect', 'revocations:read', 'usage:write'];

/**
 * Why deleting or disabling `client` would break something beyond the client itself (null when it
 * would not): it administers Tollgate (the bootstrap admin) or a resource server runs as it.
 */
function consequenceOfLosing(client: Client, managementApi: string | null): string | null {
  const scopes = client.grants.find((grant) => grant.resource === managementApi)?.scopes ?? [];
  if (scopes.includes('admin'))
    return 'It holds the admin scope on the management API: the automation that manages Tollgate with it (the bootstrap admin is configured by BOOTSTRAP_ADMIN_CLIENT_ID) loses that access at once.';
  if (scopes.some((scope) => SERVICE_SCOPES.includes(scope)))
    return 'A resource server or the MQTT broker runs as this client: without it, that service can no longer introspect PATs and API keys (it refuses them all), follow the revocation feed or report usage.';
  return null;
}

/** A field asking to type the client id, for actions on clients others depend on. */
function typedConfirmation(clientId: string) {
  return textField({
    label: `Type ${clientId} to confirm`,
    name: 'confirmId',
    required: true,
    attributes: { autocapitalize: 'off', spellcheck: 'false' },
  });
}

/** Throws the form error unless the typed id matches. */
function checkTypedConfirmation(field: HTMLElement, clientId: string): void {
  const typed = field.querySelector('input')?.value.trim();
  if (typed !== clientId)
    throw new ApiError(400, `Type the client id ${clientId} exactly to confirm.`, {
      body: { errors: ['the typed client id does not match'] },
    });
}

export async function render(page: HTMLElement, { signal, session }: PageContext): Promise<void> {
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
          WITH_SECRET.has(client.tokenEndpointAuthMethod)
            ? rowButton('Rotate secret', `of ${client.name}`, {
                focusKey: `rotate:${client.id}`,
                onClick: () => rotate(client),
              })
            : null,
          rowButton('Scopes', `of ${client.name}`, {
            focusKey: `grants:${client.id}`,
            onClick: () => editGrants(client),
          }),
          rowButton('Token binding', `of ${client.name}`, {
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
    if (client.tokenEndpointAuthMethod === 'tls_client_auth') {
      const name = CERTIFICATE_NAMES.find(({ value }) => client[value] !== undefined);
      return h('span', { class: 'muted' }, 'a certificate naming ', name ? h('code', {}, client[name.value]!) : 'it');
    }
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
    const certificateName = selectField({
      label: 'Its certificate names it by',
      name: 'certificateName',
      options: CERTIFICATE_NAMES,
      value: 'tlsClientAuthSubjectDn',
    });
    const certificateValue = textField({
      label: 'Name in its certificate',
      name: 'certificateValue',
      required: true,
      hint: 'Exactly as your CA writes it in the certificate it issues to this client; the certificate must chain to a CA the auth-server trusts (TLS_CLIENT_CA_FILE).',
      attributes: { maxlength: 1024, autocapitalize: 'off', spellcheck: 'false' },
    });
    const showMethodFields = () => {
      const chosen = method.control.value;
      jwks.hidden = !KEYED.has(chosen);
      secretDays.hidden = !WITH_SECRET.has(chosen);
      certificateName.hidden = certificateValue.hidden = chosen !== 'tls_client_auth';
    };
    showMethodFields();
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
        certificateName,
        certificateValue,
        secretDays,
        grants,
        checkbox({
          label: 'May exchange users’ personal access tokens for short-lived JWTs (RFC 8693 token exchange)',
          name: 'allowTokenExchange',
        }),
        radioGroup({ legend: 'Tokens it gets', name: 'requiredBinding', value: 'none', options: BINDINGS }),
      ],
      submit: (form) => {
        const body: Record<string, unknown> = {
          name: requiredName(form, 'application'),
          kind: formValue(form, 'kind'),
          tokenEndpointAuthMethod: formValue(form, 'tokenEndpointAuthMethod'),
          grants: readGrants(grants),
          allowTokenExchange: isChecked(form, 'allowTokenExchange'),
          requiredBinding: formValue(form, 'requiredBinding'),
        };
        const id = formValue(form, 'id');
        if (id) body.id = id;
        if (body.tokenEndpointAuthMethod === 'tls_client_auth')
          body[formValue(form, 'certificateName')] = formValue(form, 'certificateValue');
        else if (KEYED.has(String(body.tokenEndpointAuthMethod))) {
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
            `“${created.name}” is registered with client id ${created.id}. It authenticates with its ${created.tokenEndpointAuthMethod === 'tls_client_auth' ? 'certificate' : 'private key'}.`,
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
    const consequence = consequenceOfLosing(client, session.managementApi);
    const confirmation = consequence && !client.disabled ? typedConfirmation(client.id) : null;
    return toggleDisabled({
      disabled: client.disabled,
      confirm: {
        title: `Disable “${client.name}”?`,
        message: [
          h(
            'p',
            {},
            'It can no longer get tokens, and the tokens it has are refused at once. Enabling it again lets it ask for new tokens.',
          ),
          consequence ? h('p', { class: 'notice notice-warning' }, consequence) : null,
        ],
        content: confirmation,
        confirmLabel: 'Disable',
      },
      update: (disabled) => {
        if (disabled && confirmation) checkTypedConfirmation(confirmation, client.id);
        return api('PATCH', `/api/clients/${segment(client.id)}`, { disabled }, { signal });
      },
      refresh: reload,
      focusFallback: list.heading,
      announcement: (disabling) => `“${client.name}” is ${disabling ? 'disabled' : 'enabled again'}.`,
    });
  }

  async function changeBinding(client: Client) {
    const choice = radioGroup({
      legend: 'Tokens it gets',
      name: 'requiredBinding',
      value: client.requiredBinding,
      options: BINDINGS,
    });
    const changed = await formDialog({
      title: `Token binding of “${client.name}”`,
      description: h(
        'p',
        {},
        'A bound token is refused everywhere without the key or certificate it is bound to. Once a binding is required, a client that cannot provide it gets no more tokens; the tokens it holds keep working until they expire.',
      ),
      content: [choice],
      submitLabel: 'Save binding',
      onSubmit: (form) =>
        api(
          'PATCH',
          `/api/clients/${segment(client.id)}`,
          { requiredBinding: formValue(form, 'requiredBinding') },
          { signal },
        ),
    });
    if (!changed) return;
    await redrawKeepingFocus(reload, list.heading);
    const binding = state.clients.find(({ id }) => id === client.id)?.requiredBinding ?? 'none';
    announce(
      binding === 'none'
        ? `“${client.name}” may get bearer tokens.`
        : `“${client.name}” now gets ${BINDING_NAMES[binding]}.`,
    );
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
    const consequence = consequenceOfLosing(client, session.managementApi);
    const confirmation = consequence ? typedConfirmation(client.id) : null;
    return confirmAction({
      title: `Delete “${client.name}”?`,
      message: [
        h('p', {}, 'Its secrets stop working and its tokens are refused at once. This cannot be undone.'),
        consequence ? h('p', { class: 'notice notice-warning' }, consequence) : null,
      ],
      content: confirmation,
      confirmLabel: 'Delete',
      action: () => {
        if (confirmation) checkTypedConfirmation(confirmation, client.id);
        return api('DELETE', `/api/clients/${segment(client.id)}`, undefined, { signal });
      },
      refresh: reload,
      focusFallback: list.heading,
      announcement: `“${client.name}” is deleted.`,
    });
  }
}
