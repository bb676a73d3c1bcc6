// Devices connected to the IoT broker, from its health report (proxied by GET /api/broker/status),
// next to the devices registered as clients.
import { api, ApiError } from '../api.js';
import type { BrokerStatus, Client } from '../api-types.js';
import { drawList } from '../components/table.js';
import { badge, emptyState, h, replace, statusBadge, time, type Child } from '../dom.js';
import { announce, button, listSection } from '../ui.js';
import type { PageContext } from './page.js';

/** The broker's report, or why it could not be read. */
type BrokerAnswer = (BrokerStatus & { error?: undefined }) | { error: ApiError };

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Devices are M2M clients of kind “device”: they connect to the MQTT broker with their client id and a short-lived access token. This page shows which of them the broker has a session for right now.';

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  const summary = h('div');
  const list = listSection('Devices', 'devices');
  page.append(
    h('div', { class: 'toolbar' }, button('Refresh', { focusKey: 'refresh', onClick: () => load(true) })),
    summary,
    list.element,
  );
  await load(false);

  async function load(announced: boolean) {
    const [clients, broker] = await Promise.all([
      api<Client[]>('GET', '/api/clients', undefined, { signal }),
      readBroker(),
    ]);
    const devices = clients.filter((client) => client.kind === 'device');
    drawSummary(broker);
    drawDevices(devices, broker);
    if (announced) announce(broker.error ? `The broker did not answer: ${broker.error.message}` : 'Refreshed.');
  }

  /** A refusal other than 401 (which ends the session) is shown on the page, not thrown. */
  async function readBroker(): Promise<BrokerAnswer> {
    try {
      return await api<BrokerStatus>('GET', '/api/broker/status', undefined, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) return { error };
      throw error;
    }
  }

  function drawSummary(broker: BrokerAnswer) {
    if (broker.error) {
      return replace(
        summary,
        h(
          'div',
          { class: 'notice notice-error' },
          h('p', {}, h('strong', {}, 'The broker’s status could not be read. '), broker.error.message),
        ),
      );
    }
    if (!broker.configured) {
      return replace(
        summary,
        h(
          'div',
          { class: 'notice notice-info' },
          h(
            'p',
            {},
            h('strong', {}, 'The IoT broker is not configured.'),
            ' Set ',
            h('code', {}, 'IOT_BROKER_HEALTH_URL'),
            ' on the auth-server to the broker’s health endpoint (for example ',
            h('code', {}, 'http://127.0.0.1:7884/health'),
            ') to see which devices are connected.',
          ),
          h('p', {}, 'The registered devices are listed below either way.'),
        ),
      );
    }
    return replace(
      summary,
      h(
        'dl',
        { class: 'kv card' },
        h('dt', {}, 'Broker'),
        h(
          'dd',
          {},
          broker.status === 'ok' ? badge('running', 'success') : badge(broker.status ?? 'unknown', 'warning'),
        ),
        h('dt', {}, 'Open sessions'),
        h('dd', {}, String(broker.connectedDevices)),
        h('dt', {}, 'Revocation feed'),
        h(
          'dd',
          {},
          broker.revocationFeed,
          broker.revocationFeed !== 'connected'
            ? h(
                'span',
                { class: 'muted' },
                ' (the broker does not hear of revocations: a revoked device token works until it expires)',
              )
            : null,
        ),
        h('dt', {}, 'Checked'),
        h('dd', {}, time(broker.checkedAt)),
      ),
      broker.devices === null
        ? h(
            'p',
            { class: 'notice notice-info' },
            'The broker reports how many sessions are open but not which devices: start it with HEALTH_SHOW_DEVICES=true to list them.',
          )
        : null,
    );
  }

  function drawDevices(devices: Client[], broker: BrokerAnswer) {
    const connected =
      !broker.error && broker.configured && Array.isArray(broker.devices) ? new Set(broker.devices) : null;
    const unknown = connected ? [...connected].filter((id) => !devices.some((device) => device.id === id)) : [];
    const connection = (id: string) =>
      connected
        ? connected.has(id)
          ? badge('connected', 'success')
          : badge('not connected', 'neutral')
        : h('span', { class: 'muted' }, 'unknown');
    drawList(list.body, {
      caption: 'Registered devices and their connection',
      columns: ['Device', 'Client id', 'Connection', 'Status', 'Scopes'],
      rows: [
        ...devices.map((device) => [
          device.name,
          h('code', {}, device.id),
          connection(device.id),
          statusBadge(device.disabled ? 'disabled' : 'enabled'),
          device.grants.map((grant) => grant.scopes.join(', ')).join('; ') || '—',
        ]),
        ...unknown.map((id) => [
          h('span', { class: 'muted' }, 'not a registered device'),
          h('code', {}, id),
          badge('connected', 'success'),
          badge('unknown client', 'warning'),
          '—',
        ]),
      ],
      empty: emptyState(
        'No devices are registered.',
        'Register a device on the ',
        h('a', { href: '/console/admin/applications' }, 'applications and devices'),
        ' page: it gets a client id (its MQTT client id) and a secret.',
      ),
    });
  }
}
