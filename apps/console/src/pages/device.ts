// Device sign-in (RFC 8628): a person enters the code a CLI shows, sees what it asks for, and
// approves or denies it. A code that came in the link (verification_uri_complete) is only filled
// in: nothing is approved without the person reading the request and pressing Approve (RFC 8628 §5.4).
import { api, ApiError } from '../api.js';
import type { DeviceRequest } from '../api-types.js';
import { type Child, formatDateTime, h, replace, scopeList } from '../dom.js';
import {
  announce,
  checkboxGroup,
  checkedValues,
  errorSummary,
  formValue,
  heading,
  selectField,
  textField,
  whileSubmitting,
} from '../ui.js';
import { type PageContext, signedInUser } from './page.js';

export function lead(): HTMLElement {
  return h(
    'p',
    {},
    'Signing in to the Tollgate CLI on a computer, or pairing a new device? Enter the code it shows. Approve only what you started yourself, just now.',
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
    if (request) (request.kind === 'pairing' ? showPairing : showRequest)(userCode, request);
  });

  /** A new device asks to be registered: an administrator approves it and chooses which device may command it. */
  function showPairing(userCode: string, request: DeviceRequest): void {
    const controller = selectField({
      label: 'Which device may command it',
      name: 'controller',
      hint: 'Usually its home hub. It can be changed later in Applications and devices.',
      options: [...request.controllers.map((id) => ({ value: id, label: id })), { value: '', label: 'None for now' }],
      value: request.controllers[0] ?? '',
    });
    const approve = h(
      'button',
      { type: 'submit', class: 'button button-primary', disabled: !request.mayApprove },
      'Pair the device',
    );
    const deny = h('button', { type: 'button', class: 'button button-danger' }, 'Deny');
    const form = h(
      'form',
      { method: 'post', novalidate: true, 'aria-labelledby': 'device-request-title' },
      errorSummary(),
      controller,
      request.mayApprove
        ? null
        : h(
            'p',
            { class: 'notice notice-warning' },
            'Pairing registers a client: only an administrator can approve it.',
          ),
      h('div', { class: 'actions' }, approve, deny),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const chosen = formValue(form, 'controller');
      const done = await whileSubmitting(form, () =>
        api('POST', '/api/device/approve', { userCode, ...(chosen && { controller: chosen }) }, { signal }).catch(
          (error: unknown) => {
            throw explain(error);
          },
        ),
      );
      if (done)
        finish(
          `Paired. ${request.deviceId} is registered with the key it generated and may use its own topics${chosen ? `; ${chosen} may command it` : ''}. It connects on its own.`,
        );
    });
    deny.addEventListener('click', () => denyRequest(form, userCode));
    show(
      `A new device asks to join as ${request.deviceId}`,
      [
        ['Device', request.deviceId ?? ''],
        ['Its key (thumbprint)', request.keyThumbprint ?? ''],
        ['It may', h('span', {}, scopeList(request.scopes), ` at ${request.resource}`)],
        ['From', request.requestedFrom ?? 'unknown address'],
        ['Code valid until', formatDateTime(request.expiresAt)],
      ],
      'Check that the device shows this same code. If you did not just power it on, deny it.',
      form,
    );
  }

  async function denyRequest(form: HTMLFormElement, userCode: string): Promise<void> {
    const denied = await whileSubmitting(form, async () => {
      await api('POST', '/api/device/deny', { userCode }, { signal }).catch((error: unknown) => {
        throw explain(error);
      });
      return true;
    });
    if (denied) finish('Denied. Nothing was issued or registered.');
  }

  function show(title: string, facts: [string, Child][], warning: string, form: HTMLFormElement): void {
    replace(
      decision,
      h(
        'div',
        { class: 'card' },
        heading(2, title, { id: 'device-request-title' }),
        h(
          'dl',
          { class: 'kv' },
          facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
        ),
        h('p', { class: 'notice notice-warning' }, warning),
        form,
      ),
    );
    entry.hidden = true;
    decision.querySelector('h2')?.setAttribute('tabindex', '-1');
    decision.querySelector<HTMLElement>('h2')?.focus();
  }

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
    deny.addEventListener('click', () => denyRequest(form, userCode));
    show(
      `${request.clientName} asks to act as you`,
      [
        ['As', user.email],
        ['Asked for', scopeList(request.scopes)],
        ['From', request.requestedFrom ?? 'unknown address'],
        ['Asked at', formatDateTime(request.requestedAt)],
        ['Code valid until', formatDateTime(request.expiresAt)],
      ],
      'If you did not start this sign-in just now, deny it: someone may be trying to get you to approve their computer.',
      form,
    );
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
