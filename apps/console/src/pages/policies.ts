// Policies: how long personal access tokens may live, whether they may never expire, and how far
// ahead their owners are warned. People read the same policy on their tokens page.
import { api } from '../api.js';
import type { PatPolicy } from '../api-types.js';
import { h, type Child } from '../dom.js';
import {
  announce,
  checkbox,
  errorSummary,
  formValue,
  heading,
  isChecked,
  numberField,
  whileSubmitting,
} from '../ui.js';
import type { PageContext } from './page.js';

/** The lead paragraph under the page's title. */
export const lead = (): Child =>
  'Rules every person’s personal access tokens follow. A change applies to tokens created from now on; tokens that exist keep their expiry.';

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  const policy = await api<Required<PatPolicy>>('GET', '/api/settings/pat-policy', undefined, { signal });
  const form = h(
    'form',
    { method: 'post', novalidate: true, class: 'card', 'aria-labelledby': 'pat-policy-title' },
    heading(2, 'Personal access tokens', { id: 'pat-policy-title' }),
    numberField({
      label: 'Longest lifetime (days)',
      name: 'maxLifetimeDays',
      value: String(policy.maxLifetimeDays),
      required: true,
      hint: 'A new token must expire within this many days (GitHub allows 366 for fine-grained tokens; 90 is a common choice).',
      min: 1,
      max: 3650,
    }),
    checkbox({
      label: 'Allow tokens that never expire',
      name: 'allowNoExpiry',
      checked: policy.allowNoExpiry,
      hint: 'Not recommended: such a token works until someone revokes it.',
    }),
    numberField({
      label: 'Warn owners before expiry (days)',
      name: 'expiryWarningDays',
      value: String(policy.expiryWarningDays),
      required: true,
      hint: 'The owner’s tokens page highlights the token, and the pat.expiring event (audit log, webhooks) is sent this many days ahead.',
      min: 1,
      max: 90,
    }),
    errorSummary(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save policy')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const saved = await whileSubmitting(form, () =>
      api<Required<PatPolicy>>(
        'PUT',
        '/api/settings/pat-policy',
        {
          maxLifetimeDays: Number(formValue(form, 'maxLifetimeDays')),
          allowNoExpiry: isChecked(form, 'allowNoExpiry'),
          expiryWarningDays: Number(formValue(form, 'expiryWarningDays')),
        },
        { signal },
      ),
    );
    if (saved)
      announce(
        `The token policy is saved: at most ${saved.maxLifetimeDays} days${saved.allowNoExpiry ? ' (or no expiry)' : ''}, owners warned ${saved.expiryWarningDays} days ahead.`,
      );
  });
  page.append(
    form,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'sign-in-policy-title' },
      heading(2, 'Signing in', { id: 'sign-in-policy-title' }),
      h(
        'p',
        {},
        'Whether administrators must have a second factor is set on your ',
        h('a', { href: '/console/security' }, 'Sign-in and security'),
        ' page.',
      ),
    ),
  );
}
