// Webhooks: audit events sent to an endpoint as signed messages (Standard Webhooks); the secret is
// shown once, rotated with an overlap; each delivery is logged and can be sent again.
import { api, segment } from '../api.js';
import type { CreatedWebhook, Webhook, WebhookDelivery } from '../api-types.js';
import { confirmAction, toggleDisabled } from '../components/confirm-action.js';
import { createForm } from '../components/create-form.js';
import { showSecret } from '../components/secret-panel.js';
import { actionsColumn, drawList } from '../components/table.js';
import { formDialog } from '../dialog.js';
import { emptyState, h, statusBadge, time, type Child } from '../dom.js';
import {
  announce,
  dangerRowButton,
  enableToggleButton,
  formValue,
  listSection,
  numberField,
  redrawKeepingFocus,
  rowButton,
  textField,
} from '../ui.js';
import type { PageContext } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Every audit event can be sent to your systems (a SIEM, a chat, a ticketing tool) as an HTTP POST signed with the endpoint’s secret, following the Standard Webhooks specification. Failed deliveries are retried for about a day; each one is logged here and can be sent again.';

const eventsOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((event) => event.trim())
    .filter(Boolean);

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  let webhooks = await api<Webhook[]>('GET', '/api/webhooks', undefined, { signal });
  const list = listSection('Endpoints', 'webhooks');
  const secretSlot = h('div', { class: 'secret-slot' });
  const deliveries = h('section', { 'aria-live': 'polite' });
  page.append(registerForm().element, secretSlot, list.element, deliveries);
  draw();

  async function reload() {
    webhooks = await api<Webhook[]>('GET', '/api/webhooks', undefined, { signal });
    draw();
  }

  function draw() {
    drawList(list.body, {
      caption: 'Webhook endpoints',
      columns: ['Endpoint', 'Events', 'Secret', actionsColumn()],
      rows: webhooks.map((webhook) => [
        h(
          'span',
          {},
          h('code', { class: 'break' }, webhook.url),
          webhook.description ? [h('br'), webhook.description] : null,
          h('br'),
          statusBadge(webhook.disabled ? 'disabled' : 'enabled'),
        ),
        h(
          'ul',
          { class: 'chips' },
          webhook.events.map((event) => h('li', {}, h('code', {}, event))),
        ),
        webhook.previousSecretExpiresAt
          ? h(
              'span',
              { class: 'muted' },
              'rotating: the previous secret signs too until ',
              time(webhook.previousSecretExpiresAt),
            )
          : h('span', { class: 'muted' }, 'one secret'),
        h(
          'div',
          { class: 'row-actions' },
          rowButton('Deliveries', `of ${webhook.url}`, {
            focusKey: `deliveries:${webhook.id}`,
            onClick: () => showDeliveries(webhook),
          }),
          rowButton('Rotate secret', `of ${webhook.url}`, {
            focusKey: `rotate:${webhook.id}`,
            onClick: () => rotate(webhook),
          }),
          enableToggleButton(webhook.disabled, webhook.url, `toggle:${webhook.id}`, () => toggle(webhook)),
          dangerRowButton('Delete', webhook.url, `delete:${webhook.id}`, () => remove(webhook)),
        ),
      ]),
      empty: emptyState(
        'No webhook endpoints yet.',
        'Add one to receive events such as api-key.revoked, pat.expiring or client.auth.failed as they happen.',
      ),
    });
  }

  function registerForm() {
    return createForm({
      title: 'Add an endpoint',
      submitLabel: 'Add endpoint',
      fields: [
        textField({
          label: 'URL',
          name: 'url',
          required: true,
          type: 'url',
          hint: 'Where events are POSTed. Loopback and private addresses are refused unless the operator allows them.',
          attributes: { maxlength: 2048, autocapitalize: 'off', spellcheck: 'false' },
        }),
        textField({
          label: 'Events',
          name: 'events',
          required: true,
          value: '*',
          hint: 'Audit actions, separated by commas or spaces: exact (api-key.revoked), a prefix (api-key.*) or * for all.',
          attributes: { maxlength: 1000, autocapitalize: 'off', spellcheck: 'false' },
        }),
        textField({ label: 'Description', name: 'description', attributes: { maxlength: 200 } }),
      ],
      submit: (form) =>
        api<CreatedWebhook>(
          'POST',
          '/api/webhooks',
          {
            url: formValue(form, 'url'),
            events: eventsOf(formValue(form, 'events')),
            description: formValue(form, 'description'),
          },
          { signal },
        ),
      done: async (created) => {
        await reload();
        showWebhookSecret(created.url, created.secret);
      },
    });
  }

  function showWebhookSecret(url: string, secret: string) {
    showSecret(secretSlot, {
      what: 'signing secret',
      secret,
      name: url,
      details: h(
        'p',
        {},
        'Verify each message’s webhook-signature header with it (any Standard Webhooks library does), and refuse messages whose webhook-timestamp is more than a few minutes old.',
      ),
      onDone: () => list.heading.focus(),
    });
  }

  async function rotate(webhook: Webhook) {
    const overlap = numberField({
      label: 'Current secret keeps signing for (minutes)',
      name: 'overlap',
      value: '1440',
      hint: 'Messages carry both signatures meanwhile: time to deploy the new secret. 0 stops the current one at once.',
      min: 0,
      max: 43200,
    });
    const rotated = await formDialog({
      title: `Rotate the signing secret of ${webhook.url}?`,
      description: h('p', {}, 'A new secret is issued and shown once.'),
      content: [overlap],
      submitLabel: 'Rotate secret',
      onSubmit: (form) =>
        api<{ secret: string }>(
          'POST',
          `/api/webhooks/${segment(webhook.id)}/secret`,
          { expireCurrentInMinutes: Number(formValue(form, 'overlap') || '0') },
          { signal },
        ),
    });
    if (!rotated) return;
    await reload();
    showWebhookSecret(webhook.url, rotated.value.secret);
  }

  function toggle(webhook: Webhook) {
    return toggleDisabled({
      disabled: webhook.disabled,
      confirm: {
        title: `Disable ${webhook.url}?`,
        message: 'It receives nothing until it is enabled again; deliveries still pending for it fail.',
        confirmLabel: 'Disable',
      },
      update: (disabled) => api('PATCH', `/api/webhooks/${segment(webhook.id)}`, { disabled }, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: (disabling) => `${webhook.url} is ${disabling ? 'disabled' : 'enabled again'}.`,
    });
  }

  function remove(webhook: Webhook) {
    return confirmAction({
      title: `Delete ${webhook.url}?`,
      message: 'It receives nothing more, and its delivery log is deleted with it. This cannot be undone.',
      confirmLabel: 'Delete',
      action: () => api('DELETE', `/api/webhooks/${segment(webhook.id)}`, undefined, { signal }),
      refresh: async () => {
        deliveries.replaceChildren();
        await reload();
      },
      focusFallback: list.heading,
      announcement: `${webhook.url} is deleted.`,
    });
  }

  async function showDeliveries(webhook: Webhook) {
    const log = listSection(`Deliveries to ${webhook.url}`, 'deliveries');
    const drawLog = (items: WebhookDelivery[]) =>
      drawList(log.body, {
        caption: 'Newest first',
        columns: ['Event', 'Status', 'Attempts', 'Last answer', 'Created', actionsColumn()],
        rows: items.map((delivery) => [
          h('code', {}, delivery.eventType),
          h(
            'span',
            {},
            statusBadge(delivery.status),
            delivery.status === 'pending' && delivery.nextAttemptAt
              ? [h('br'), h('span', { class: 'muted' }, 'next attempt ', time(delivery.nextAttemptAt))]
              : null,
          ),
          String(delivery.attempts),
          delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : (delivery.lastError ?? '—'),
          time(delivery.createdAt),
          h(
            'div',
            { class: 'row-actions' },
            rowButton('Send again', `${delivery.eventType} ${delivery.id}`, {
              focusKey: `replay:${delivery.id}`,
              onClick: () => replay(delivery),
            }),
          ),
        ]),
        empty: emptyState('No deliveries yet.', 'Events this endpoint asks for appear here as they are sent.'),
      });
    const load = () =>
      api<WebhookDelivery[]>('GET', `/api/webhooks/${segment(webhook.id)}/deliveries`, undefined, { signal });
    const replay = async (delivery: WebhookDelivery) => {
      await api('POST', `/api/webhooks/${segment(webhook.id)}/deliveries/${segment(delivery.id)}/replay`, undefined, {
        signal,
      });
      await redrawKeepingFocus(async () => drawLog(await load()), log.heading);
      announce(`${delivery.eventType} is sent again.`);
    };
    drawLog(await load());
    deliveries.replaceChildren(log.element);
    log.heading.focus();
  }
}
