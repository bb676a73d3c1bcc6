import { api, ApiError } from '../api.js';
import type { SecondFactorMethod, SecondFactorRequired, StartedSession } from '../api-types.js';
import { h, replace } from '../dom.js';
import { passkeyAnswer, passkeysSupported } from '../passkeys.js';
import { errorSummary, heading, showFormError, textField, whileSubmitting } from '../ui.js';
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
    const answer = await whileSubmitting(form, async () => {
      try {
        return await api<StartedSession | SecondFactorRequired>('POST', '/api/session', body, {
          sessionCall: true,
          signal,
        });
      } catch (error) {
        if (error instanceof ApiError && error.status === 429) throw throttled(error);
        throw error;
      }
    });
    password.control.value = '';
    if (!answer) return;
    if ('secondFactorRequired' in answer) secondStep(answer.methods);
    else await signedIn(answer);
  });

  // A discoverable passkey: no email to type; the browser lists this site's passkeys.
  const passkeyButton = passkeysSupported()
    ? h('button', { type: 'button', class: 'button', onClick: signInWithPasskey }, 'Sign in with a passkey')
    : null;

  async function signInWithPasskey() {
    const started = await whileSubmitting(form, async () => {
      const passkey = await passkeyAnswer('/api/session/passkey/options', { sessionCall: true, signal });
      return api<StartedSession>('POST', '/api/session/passkey', { passkey }, { sessionCall: true, signal });
    });
    if (started) await signedIn(started);
  }

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

  const alternative = passkeyButton
    ? h('div', { class: 'sign-in-alternative' }, h('p', { class: 'hint' }, 'or'), passkeyButton)
    : null;
  const card = h(
    'section',
    { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    heading(1, 'Sign in to Tollgate', { id: 'sign-in-title' }),
    h(
      'p',
      { class: 'lead' },
      'Manage your personal access tokens and, as an administrator, applications, API keys, users and keys.',
    ),
    form,
    alternative,
  );
  page.append(card);
  // The sign-in form is the whole page: start in the email field.
  requestAnimationFrame(() => email.control.focus());

  /** The password was right: the second step, with the factors the person has (a passkey, an app, a recovery code). */
  function secondStep(methods: SecondFactorMethod[]) {
    let mode: 'totp' | 'recovery_code' = methods.includes('totp') ? 'totp' : 'recovery_code';
    const codeSlot = h('div');
    const stepForm = h('form', { method: 'post', class: 'sign-in', novalidate: true }, errorSummary(), codeSlot);
    const usePasskey = methods.includes('passkey')
      ? h('button', { type: 'button', class: 'button button-primary', onClick: confirmWithPasskey }, 'Use your passkey')
      : null;
    const switchMode = h('button', { type: 'button', class: 'link-button', onClick: toggleMode });
    const showCodeForm = methods.includes('totp') || methods.includes('recovery_code');

    function drawCode() {
      const field =
        mode === 'totp'
          ? textField({
              label: 'Authentication code',
              name: 'code',
              required: true,
              autocomplete: 'one-time-code',
              hint: 'The 6-digit code your authenticator app shows for Tollgate.',
              attributes: { inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, spellcheck: 'false' },
            })
          : textField({
              label: 'Recovery code',
              name: 'recoveryCode',
              required: true,
              hint: 'One of the recovery codes you stored, such as 7k2m-9xq4-h3fd-w8rt. Each works once.',
              attributes: { maxlength: 40, autocapitalize: 'off', spellcheck: 'false' },
            });
      replace(
        codeSlot,
        field,
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Verify')),
      );
      replace(switchMode, mode === 'totp' ? 'Use a recovery code instead' : 'Use your authenticator app instead');
      switchMode.hidden = !(methods.includes('totp') && methods.includes('recovery_code'));
      return field;
    }

    function toggleMode() {
      mode = mode === 'totp' ? 'recovery_code' : 'totp';
      drawCode().control.focus();
    }

    stepForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!stepForm.reportValidity()) return;
      const value = (
        stepForm.elements.namedItem(mode === 'totp' ? 'code' : 'recoveryCode') as HTMLInputElement
      ).value.trim();
      const started = await whileSubmitting(stepForm, () =>
        complete(mode === 'totp' ? { code: value.replace(/\s/g, '') } : { recoveryCode: value }),
      );
      if (started) await signedIn(started);
    });

    async function confirmWithPasskey() {
      const started = await whileSubmitting(stepForm, async () =>
        complete({ passkey: await passkeyAnswer('/api/session/second-factor/options', { sessionCall: true, signal }) }),
      );
      if (started) await signedIn(started);
    }

    async function complete(body: Record<string, unknown>): Promise<StartedSession> {
      try {
        return await api<StartedSession>('POST', '/api/session/second-factor', body, { sessionCall: true, signal });
      } catch (error) {
        // Expired or too many wrong answers: the password is asked again.
        if (error instanceof ApiError && error.code === 'sign_in_expired') {
          startOver();
          showFormError(form, error);
        }
        throw error;
      }
    }

    function startOver() {
      replace(card, heading(1, 'Sign in to Tollgate', { id: 'sign-in-title' }), form, alternative);
      email.control.focus();
    }

    const title = heading(1, 'Confirm it is you', { id: 'sign-in-title' });
    replace(
      card,
      title,
      h(
        'p',
        { class: 'lead' },
        'Your account uses two-step sign-in. ',
        usePasskey ? 'Use your passkey' : 'Enter the code from your authenticator app',
        usePasskey && showCodeForm ? ', or enter a code below.' : '.',
      ),
      usePasskey ? h('div', { class: 'actions' }, usePasskey) : null,
      showCodeForm ? stepForm : null,
      h(
        'p',
        {},
        switchMode,
        ' ',
        h('button', { type: 'button', class: 'link-button', onClick: startOver }, 'Start over'),
      ),
    );
    if (showCodeForm) drawCode();
    if (!usePasskey)
      (stepForm.elements.namedItem(mode === 'totp' ? 'code' : 'recoveryCode') as HTMLElement | null)?.focus();
    else usePasskey.focus();
  }
}
