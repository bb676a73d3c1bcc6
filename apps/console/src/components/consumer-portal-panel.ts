// On the administrator's API keys page, under a consumer's keys: its developer portal (the limits
// its invited developers work within) and the people invited to it.
import { api, ApiError, messageOf, segment } from '../api.js';
import type { ApiConsumer, ConsumerMember, PortalLimits, Resource } from '../api-types.js';
import { formDialog } from '../dialog.js';
import { emptyState, grantList, h, replace, time } from '../dom.js';
import { grantsPicker, readGrants } from '../pages/common.js';
import {
  announce,
  button,
  checkboxGroup,
  checkedValues,
  dangerRowButton,
  formValue,
  heading,
  numberField,
  redrawKeepingFocus,
  textField,
  whileSubmitting,
} from '../ui.js';
import { confirmAction } from './confirm-action.js';
import { actionsColumn, table } from './table.js';

const ENVIRONMENTS = [
  { value: 'test', label: 'Test keys (tgk_test_…)' },
  { value: 'live', label: 'Live keys (tgk_live_…)' },
];

/** The panel for `consumer`; it loads its own state and redraws itself after each change. */
export function consumerPortalPanel(
  consumer: ApiConsumer,
  resources: readonly Resource[],
  signal: AbortSignal,
): HTMLElement {
  const base = `/api/consumers/${segment(consumer.id)}`;
  const titleId = `portal-${consumer.id}`;
  const title = heading(3, 'Developer portal', { id: titleId, tabindex: '-1' });
  const body = h('div');
  const section = h('section', { class: 'card', 'aria-labelledby': titleId }, title, body);
  load().catch((error: unknown) => {
    if (!signal.aborted) replace(body, h('p', { class: 'notice notice-error' }, `Could not load: ${messageOf(error)}`));
  });
  return section;

  async function load(): Promise<void> {
    const [portal, members] = await Promise.all([
      api<{ limits: PortalLimits | null }>('GET', `${base}/portal`, undefined, { signal }),
      api<ConsumerMember[]>('GET', `${base}/members`, undefined, { signal }),
    ]);
    draw(portal.limits, members);
  }

  function draw(limits: PortalLimits | null, members: ConsumerMember[]): void {
    replace(
      body,
      h(
        'p',
        {},
        limits
          ? `Open: the people below create, roll and revoke ${consumer.name}’s keys themselves, within these limits.`
          : `Closed. Open it to let people you invite manage ${consumer.name}’s keys themselves.`,
      ),
      limits
        ? h(
            'ul',
            { class: 'plain' },
            h('li', {}, 'Scopes: ', grantList(limits.grants)),
            h('li', {}, `Environments: ${limits.environments.join(', ')}`),
            h('li', {}, `At most ${limits.maxActiveKeys} active keys`),
            h(
              'li',
              {},
              limits.rateLimitCeiling
                ? `Rate limit at most ${limits.rateLimitCeiling.requests} per ${limits.rateLimitCeiling.perSeconds} s`
                : 'No rate-limit ceiling',
            ),
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        button(limits ? 'Change limits' : 'Open the portal', { onClick: () => editLimits(limits) }),
        limits ? button('Close the portal', { onClick: () => close() }) : null,
      ),
      h('h4', {}, 'Invited people'),
      members.length === 0
        ? emptyState('Nobody is invited yet.')
        : table({
            caption: `People invited to ${consumer.name}`,
            captionHidden: true,
            cards: true,
            columns: ['Name', 'Invited', actionsColumn()],
            rows: members.map((member) => [
              h('span', {}, member.displayName, h('br'), h('span', { class: 'muted' }, member.email)),
              time(member.invitedAt, '—', { dateOnly: true }),
              h(
                'div',
                { class: 'row-actions' },
                dangerRowButton('Remove', member.email, `remove-member:${member.userId}`, () => remove(member)),
              ),
            ]),
          }),
      inviteForm(),
    );
  }

  function inviteForm(): HTMLFormElement {
    const email = textField({
      label: 'Invite by email',
      name: 'email',
      type: 'email',
      required: true,
      hint: 'A person with a console account (create them on the Users page first).',
      attributes: { maxlength: 254, autocapitalize: 'off', spellcheck: 'false' },
    });
    const form = h(
      'form',
      { class: 'search-form', novalidate: true },
      email,
      h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      h('button', { type: 'submit', class: 'button' }, 'Invite'),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const invited = await whileSubmitting(form, () =>
        api<ConsumerMember>('POST', `${base}/members`, { email: email.control.value.trim() }, { signal }),
      );
      if (!invited) return;
      await redrawKeepingFocus(load, title);
      announce(`${invited.email} is invited to ${consumer.name}.`);
    });
    return form;
  }

  async function editLimits(current: PortalLimits | null): Promise<void> {
    const picker = grantsPicker({
      legend: 'Scopes keys may have',
      hint: 'Developers can give a key only these.',
      resources,
      selected: current?.grants,
    });
    const saved = await formDialog({
      title: `Developer portal of ${consumer.name}`,
      submitLabel: current ? 'Save limits' : 'Open the portal',
      content: [
        picker,
        checkboxGroup({
          legend: 'Environments',
          name: 'environments',
          options: ENVIRONMENTS,
          checked: current?.environments ?? ['test'],
        }),
        numberField({
          label: 'Active keys at most',
          name: 'maxActiveKeys',
          value: String(current?.maxActiveKeys ?? 5),
          required: true,
          min: 1,
          max: 100,
        }),
        h(
          'div',
          { class: 'inline-fields' },
          numberField({
            label: 'Rate-limit ceiling: requests',
            name: 'ceilingRequests',
            value: current?.rateLimitCeiling ? String(current.rateLimitCeiling.requests) : undefined,
            min: 1,
            max: 100000,
          }),
          numberField({
            label: 'per seconds',
            name: 'ceilingPerSeconds',
            value: current?.rateLimitCeiling ? String(current.rateLimitCeiling.perSeconds) : undefined,
            min: 1,
            max: 86400,
          }),
        ),
      ],
      onSubmit: (form) => {
        const requests = formValue(form, 'ceilingRequests');
        const perSeconds = formValue(form, 'ceilingPerSeconds');
        if (Boolean(requests) !== Boolean(perSeconds))
          throw new ApiError(400, 'A rate-limit ceiling needs both numbers, or neither.');
        return api<{ limits: PortalLimits }>(
          'PUT',
          `${base}/portal`,
          {
            grants: readGrants(picker),
            environments: checkedValues(form, 'environments'),
            maxActiveKeys: Number(formValue(form, 'maxActiveKeys')),
            rateLimitCeiling: requests ? { requests: Number(requests), perSeconds: Number(perSeconds) } : null,
          },
          { signal },
        );
      },
    });
    if (!saved) return;
    await redrawKeepingFocus(load, title);
    announce(`The developer portal of ${consumer.name} is ${current ? 'updated' : 'open'}.`);
  }

  function close() {
    return confirmAction({
      title: `Close the developer portal of ${consumer.name}?`,
      message:
        'Invited people no longer see this consumer or manage its keys. The keys keep working; reopening the portal gives the same people access again.',
      confirmLabel: 'Close the portal',
      action: () => api('DELETE', `${base}/portal`, undefined, { signal }),
      refresh: load,
      focusFallback: title,
      announcement: `The developer portal of ${consumer.name} is closed.`,
    });
  }

  function remove(member: ConsumerMember) {
    return confirmAction({
      title: `Remove ${member.email} from ${consumer.name}?`,
      message: 'They can no longer manage its keys. The keys they created stay: they belong to the consumer.',
      confirmLabel: 'Remove',
      action: () => api('DELETE', `${base}/members/${segment(member.userId)}`, undefined, { signal }),
      refresh: load,
      focusFallback: title,
      announcement: `${member.email} is removed from ${consumer.name}.`,
    });
  }
}
