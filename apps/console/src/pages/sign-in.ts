import { api, ApiError } from '../api.js';
import type { StartedSession } from '../api-types.js';
import { h, replace } from '../dom.js';
import { errorSummary, heading, textField, whileSubmitting } from '../ui.js';
import type { PageContext } from './page.js';

export async function render(page: HTMLElement, { signal, signedIn }: PageContext): Promise<void> {
  const email = textField({
    label: 'Email',
    name: 'email',
    type: 'email',
    required: true,
    autocomplete: 'username',
    attributes: { maxlength: 254, autocapitalize: 'off', spellcheck: 'false' },
  });
  const password = textField({
    label: 'Password',
    name: 'password',
    type: 'password',
    required: true,
    autocomplete: 'current-password',
    attributes: { maxlength: 1024 },
  });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in');
  const wait = h('p', { class: 'hint', hidden: true });
  // method=post: should a script ever fail, the browser can never put the password in a URL.
  const form = h(
    'form',
    { method: 'post', class: 'sign-in', novalidate: true },
    errorSummary(),
    email,
    password,
    h('div', { class: 'actions' }, submit),
    wait,
  );
  let timer: ReturnType<typeof setInterval> | undefined;
  signal.addEventListener('abort', () => clearInterval(timer));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const body = { email: email.control.value.trim(), password: password.control.value };
    const started = await whileSubmitting(form, async () => {
      try {
        return await api<StartedSession>('POST', '/api/session', body, { sessionCall: true, signal });
      } catch (error) {
        if (error instanceof ApiError && error.status === 429) throw throttled(error);
        throw error;
      }
    });
    password.control.value = '';
    if (started) await signedIn(started);
  });

  /** 429: says when, and keeps the button off until then (the server refuses earlier tries anyway). */
  function throttled(error: ApiError): ApiError {
    const seconds = error.retryAfterSeconds ?? 60;
    const at = new Date(Date.now() + seconds * 1000);
    submit.dataset.keepDisabled = 'true';
    submit.disabled = true;
    clearInterval(timer);
    const tick = () => {
      const left = Math.ceil((at.getTime() - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(timer);
        delete submit.dataset.keepDisabled;
        submit.disabled = false;
        wait.hidden = true;
        return;
      }
      wait.hidden = false;
      replace(wait, `You can sign in again in ${left} s.`);
    };
    tick();
    timer = setInterval(tick, 1000);
    return new ApiError(
      429,
      `Too many failed sign-ins for this account or from this network. For your security, signing in is paused: try again in ${seconds} seconds (at ${at.toLocaleTimeString()}).`,
    );
  }

  page.append(
    h(
      'section',
      { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
      heading(1, 'Sign in to Tollgate', { id: 'sign-in-title' }),
      h(
        'p',
        { class: 'lead' },
        'Manage your personal access tokens and, as an administrator, applications, API keys, users and keys.',
      ),
      form,
    ),
  );
  // The sign-in form is the whole page: start in the email field.
  requestAnimationFrame(() => email.control.focus());
}
