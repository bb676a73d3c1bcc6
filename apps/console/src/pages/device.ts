// Device sign-in (RFC 8628): a person enters the code a CLI shows, sees what it asks for, and
// approves or denies it. A code that came in the link (verification_uri_complete) is only filled
// in: nothing is approved without the person reading the request and pressing Approve (RFC 8628 §5.4).
import { api, ApiError } from '../api.js';
import type { DeviceRequest } from '../api-types.js';
import { formatDateTime, h, replace, scopeList } from '../dom.js';
import { announce, checkboxGroup, checkedValues, errorSummary, heading, textField, whileSubmitting } from '../ui.js';
import { type PageContext, signedInUser } from './page.js';

export function lead(): HTMLElement {
  return h(
    'p',
    {},
    'Signing in to the Tollgate CLI (or another tool) on a computer? Enter the code it shows. Approve only a sign-in you started yourself, just now.',
  );
}

export async function render(page: HTMLElement, { session, params, signal }: PageContext): Promise<void> {
  const user = signedInUser(session);
  const linked = params.get('user_code') ?? '';
  // The code is single-use and short-lived, but it need not stay in the address bar or the history.
  if (linked) history.replaceState(null, '', location.pathname);

  const code = textField({
    label: 'Code',
    name: 'userCode',
    required: true,
    value: linked,
    hint: 'Eight letters, as the CLI shows them (for example BCDF-GHJK); case and the dash do not matter.',
    attributes: { maxlength: 16, autocapitalize: 'characters', spellcheck: 'false', class: 'code-input' },
  });
  const lookup = h(
    'form',
    { method: 'post', novalidate: true },
    errorSummary(),
    code,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Continue')),
  );
  const decision = h('section', { 'aria-live': 'polite' });
  const entry = h('section', { class: 'card narrow' }, heading(2, 'Enter the code'), lookup);

  lookup.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!lookup.reportValidity()) return;
    const userCode = code.control.value.trim();
    const request = await whileSubmitting(lookup, () =>
      api<DeviceRequest>('POST', '/api/device/lookup', { userCode }, { signal }).catch((error: unknown) => {
        throw explain(error);
      }),
    );
    if (request) showRequest(userCode, request);
  });

  function showRequest(userCode: string, request: DeviceRequest): void {
    const approvable = request.scopes.filter((scope) => !request.scopesNotHeld.includes(scope));
    const scopes = checkboxGroup({
      legend: 'It may',
      name: 'scopes',
      options: request.scopes.map((scope) => ({
        value: scope,
        label: scope,
        hint: request.scopesNotHeld.includes(scope)
          ? 'You do not hold this scope, so it cannot be approved.'
          : undefined,
      })),
      checked: approvable,
      hint: `At ${request.resource}. Untick what it should not do.`,
    });
    for (const input of scopes.querySelectorAll<HTMLInputElement>('input'))
      if (request.scopesNotHeld.includes(input.value)) input.disabled = true;
    const approve = h(
      'button',
      { type: 'submit', class: 'button button-primary', disabled: approvable.length === 0 },
      'Approve',
    );
    const deny = h('button', { type: 'button', class: 'button button-danger' }, 'Deny');
    const form = h(
      'form',
      { method: 'post', novalidate: true, 'aria-labelledby': 'device-request-title' },
      errorSummary(),
      scopes,
      h('div', { class: 'actions' }, approve, deny),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const chosen = checkedValues(form, 'scopes');
      const done = await whileSubmitting(form, async () => {
        if (chosen.length === 0) throw new ApiError(400, 'Tick at least one scope, or deny the sign-in.');
        return api<{ scopes: string[] }>('POST', '/api/device/approve', { userCode, scopes: chosen }, { signal }).catch(
          (error: unknown) => {
            throw explain(error);
          },
        );
      });
      if (done)
        finish(
          `Approved. The CLI signs in as ${user.email} with ${done.scopes.join(', ')}: you can return to your terminal.`,
        );
    });
    deny.addEventListener('click', async () => {
      const denied = await whileSubmitting(form, async () => {
        await api('POST', '/api/device/deny', { userCode }, { signal }).catch((error: unknown) => {
          throw explain(error);
        });
        return true;
      });
      if (denied) finish('Denied. The CLI is told the sign-in was refused; nothing was issued.');
    });

    replace(
      decision,
      h(
        'div',
        { class: 'card' },
        heading(2, `${request.clientName} asks to act as you`, { id: 'device-request-title' }),
        h(
          'dl',
          { class: 'kv' },
          h('dt', {}, 'As'),
          h('dd', {}, user.email),
          h('dt', {}, 'Asked for'),
          h('dd', {}, scopeList(request.scopes)),
          h('dt', {}, 'From'),
          h('dd', {}, request.requestedFrom ?? 'unknown address'),
          h('dt', {}, 'Asked at'),
          h('dd', {}, formatDateTime(request.requestedAt)),
          h('dt', {}, 'Code valid until'),
          h('dd', {}, formatDateTime(request.expiresAt)),
        ),
        h(
          'p',
          { class: 'notice notice-warning' },
          'If you did not start this sign-in just now, deny it: someone may be trying to get you to approve their computer.',
        ),
        form,
      ),
    );
    entry.hidden = true;
    decision.querySelector('h2')?.setAttribute('tabindex', '-1');
    decision.querySelector<HTMLElement>('h2')?.focus();
  }

  function finish(message: string): void {
    replace(decision, h('p', { class: 'notice notice-success', role: 'status' }, message));
    announce(message);
  }

  page.append(entry, decision);
  requestAnimationFrame(() => code.control.focus());
}

/** What the person can do about a refusal, in words. */
function explain(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 404)
    return new ApiError(
      404,
      'No sign-in waits for this code. Check it, or start the sign-in again in the CLI: codes last 10 minutes and work once.',
    );
  if (error.status === 429)
    return new ApiError(429, `Too many wrong codes. Try again in ${error.retryAfterSeconds ?? 60} seconds.`);
  if (error.status === 409) return new ApiError(409, 'This sign-in was already approved or denied.');
  return error;
}
