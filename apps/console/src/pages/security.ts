// Account settings → sign-in and security: passkeys, an authenticator app (TOTP) and recovery codes.
// Every change wants a recent sign-in: when the API answers reauthentication_required, the person
// confirms it is them (password or passkey) and the change is sent again.
import { encode } from 'uqr';
import { api, ApiError, segment } from '../api.js';
import type {
  AddedFactor,
  Passkey,
  RecoveryCodesStatus,
  SignInPolicy,
  StartedSession,
  TotpSetup,
  TotpStatus,
} from '../api-types.js';
import { confirmAction } from '../components/confirm-action.js';
import { createForm, nameField, requiredName } from '../components/create-form.js';
import { actionsColumn, drawList } from '../components/table.js';
import { formDialog } from '../dialog.js';
import { badge, type Child, emptyState, h, replace, svg, time, uid } from '../dom.js';
import { createPasskey, passkeyAnswer, passkeysSupported } from '../passkeys.js';
import {
  announce,
  announceError,
  button,
  checkbox,
  dangerRowButton,
  errorSummary,
  listSection,
  rowButton,
  textField,
  whileSubmitting,
} from '../ui.js';
import type { PageContext } from './page.js';

export const lead = (): Child =>
  'How you sign in to Tollgate: passkeys (your fingerprint, face or device PIN instead of a password), an authenticator app as a second step after your password, and recovery codes for when you lose them. Changes ask you to confirm it is you when you signed in more than 10 minutes ago.';

export async function render(page: HTMLElement, { session, signal }: PageContext): Promise<void> {
  const load = () =>
    Promise.all([
      api<Passkey[]>('GET', '/api/me/passkeys', undefined, { signal }),
      api<TotpStatus>('GET', '/api/me/totp', undefined, { signal }),
      api<RecoveryCodesStatus>('GET', '/api/me/recovery-codes', undefined, { signal }),
    ]);
  let [passkeys, totp, codes] = await load();

  const banner = h('div');
  const codesSlot = h('div', { class: 'secret-slot' });
  const passkeySection = listSection('Passkeys', 'passkeys-heading');
  const totpSection = listSection('Authenticator app', 'totp-heading');
  const codesSection = listSection('Recovery codes', 'codes-heading');
  const addPasskey = passkeysSupported() ? passkeyForm() : null;

  page.append(banner, codesSlot, passkeySection.element, totpSection.element, codesSection.element);
  if (session.isAdmin) page.append(await policySection());
  passkeySection.heading.after(
    h(
      'p',
      { class: 'hint' },
      'A passkey signs you in on its own, without your password, and also serves as the second step after it. It lives on this device or in your password manager, and works only on this site.',
    ),
    addPasskey ? addPasskey.element : h('p', { class: 'notice notice-warning' }, 'This browser cannot use passkeys.'),
  );
  draw();

  async function reload() {
    [passkeys, totp, codes] = await load();
    draw();
  }

  function draw() {
    drawBanner();
    drawPasskeys();
    drawTotp();
    drawCodes();
  }

  function hasSecondFactor() {
    return passkeys.length > 0 || totp.enabled;
  }

  /**
   * The factor the policy asked for is there: the console starts again (from GET /api/session), so
   * the administration pages come back. Only once the recovery codes were seen.
   */
  function unlockIfSetUp(): boolean {
    if (!session.secondFactorSetupRequired || !hasSecondFactor()) return false;
    location.reload();
    return true;
  }

  function drawBanner() {
    if (!session.secondFactorSetupRequired || hasSecondFactor()) return replace(banner);
    return replace(
      banner,
      h(
        'div',
        { class: 'notice notice-warning', role: 'status' },
        h('p', {}, h('strong', {}, 'Your organisation requires administrators to use a second factor.')),
        h(
          'p',
          {},
          'Add a passkey or set up an authenticator app. Until you do, the console can do nothing else for you.',
        ),
      ),
    );
  }

  // ---- passkeys ---------------------------------------------------------------------------------

  function drawPasskeys() {
    drawList(passkeySection.body, {
      caption: `${passkeys.length} passkey${passkeys.length === 1 ? '' : 's'}`,
      columns: ['Name', 'Added', 'Last used', 'Synced', actionsColumn()],
      rows: passkeys.map((passkey) => [
        passkey.name,
        time(passkey.createdAt, '—', { dateOnly: true }),
        time(passkey.lastUsedAt, 'never'),
        passkey.backedUp ? badge('synced', 'info') : h('span', { class: 'muted' }, 'this device only'),
        h(
          'div',
          { class: 'row-actions' },
          rowButton('Rename', passkey.name, { focusKey: `rename:${passkey.id}`, onClick: () => rename(passkey) }),
          dangerRowButton('Remove', passkey.name, `remove:${passkey.id}`, () => remove(passkey)),
        ),
      ]),
      empty: emptyState('You have no passkeys.', 'Add one to sign in with your fingerprint, face or device PIN.'),
    });
  }

  function passkeyForm() {
    return createForm({
      label: 'Add a passkey',
      title: 'Add a passkey',
      submitLabel: 'Create passkey',
      fields: nameField('To tell your passkeys apart, e.g. “Work laptop” or “Phone”.'),
      submit: async (form) => {
        const name = requiredName(form, 'passkey');
        const options = await recent(() =>
          api<Parameters<typeof createPasskey>[0]>('POST', '/api/me/passkeys/options'),
        );
        const passkey = await createPasskey(options);
        return api<{ passkey: Passkey } & AddedFactor>('POST', '/api/me/passkeys', { name, passkey }, { signal });
      },
      done: async (created) => {
        await reload();
        announce(`The passkey “${created.passkey.name}” is added.`);
        if (created.recoveryCodes) showCodes(created.recoveryCodes, true);
        else if (!unlockIfSetUp()) passkeySection.heading.focus();
      },
    });
  }

  async function rename(passkey: Passkey) {
    const field = textField({
      label: 'Name',
      name: 'name',
      required: true,
      value: passkey.name,
      attributes: { maxlength: 100 },
    });
    const result = await formDialog({
      title: `Rename the passkey “${passkey.name}”`,
      content: field,
      submitLabel: 'Save',
      onSubmit: () =>
        api<Passkey>('PATCH', `/api/me/passkeys/${segment(passkey.id)}`, { name: field.control.value.trim() }),
    });
    if (!result) return;
    await reload();
    document.querySelector<HTMLElement>(`[data-focus-key="rename:${passkey.id}"]`)?.focus();
    announce(`The passkey is renamed “${result.value.name}”.`);
  }

  function remove(passkey: Passkey) {
    return confirmAction({
      title: `Remove the passkey “${passkey.name}”?`,
      message:
        'It will no longer sign you in here. Remove it from your device or password manager too. This cannot be undone.',
      confirmLabel: 'Remove passkey',
      action: () => recent(() => api('DELETE', `/api/me/passkeys/${segment(passkey.id)}`)),
      refresh: reload,
      focusFallback: passkeySection.heading,
      announcement: `The passkey “${passkey.name}” is removed.`,
    });
  }

  // ---- authenticator app ------------------------------------------------------------------------

  function drawTotp() {
    if (totp.enabled) {
      return replace(
        totpSection.body,
        h(
          'p',
          {},
          badge('on', 'success'),
          ' Since ',
          time(totp.enabledAt),
          '. After your password, Tollgate asks for the code your app shows.',
        ),
        h(
          'div',
          { class: 'actions' },
          button('Turn off the authenticator app', { tone: 'danger', onClick: disableTotp }),
        ),
      );
    }
    return replace(
      totpSection.body,
      h(
        'p',
        {},
        badge('off', 'neutral'),
        ' Use an app such as 1Password, Google Authenticator or Microsoft Authenticator for a 6-digit code after your password.',
      ),
      h('div', { class: 'actions' }, button('Set up an authenticator app', { tone: 'primary', onClick: startTotp })),
    );
  }

  async function startTotp() {
    let setup: TotpSetup;
    try {
      setup = await recent(() => api<TotpSetup>('POST', '/api/me/totp', undefined, { signal }));
    } catch (error) {
      announceError(error);
      return;
    }
    const secretId = uid('totp-secret');
    const secretInput: HTMLInputElement = h('input', {
      id: secretId,
      class: 'secret-value',
      type: 'text',
      readonly: true,
      autocomplete: 'off',
      spellcheck: 'false',
      'data-secret': '',
    });
    secretInput.value = setup.secret;
    const code = textField({
      label: 'Code from the app',
      name: 'code',
      required: true,
      autocomplete: 'one-time-code',
      hint: 'The 6 digits the app shows for Tollgate now.',
      attributes: { inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6 },
    });
    const form = h(
      'form',
      { method: 'post', novalidate: true, class: 'stack' },
      h(
        'ol',
        { class: 'steps' },
        h(
          'li',
          {},
          h('p', {}, 'Scan this QR code with the app, or type the key below into it.'),
          qrCode(setup.uri),
          h('div', { class: 'field' }, h('label', { for: secretId }, 'Setup key'), secretInput),
        ),
        h('li', {}, code),
      ),
      errorSummary(),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button button-primary' }, 'Turn on'),
        button('Cancel', { onClick: () => drawTotp() }),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const enabled = await whileSubmitting(form, () =>
        recent(() =>
          api<TotpStatus & AddedFactor>('POST', '/api/me/totp/confirm', { code: code.control.value.trim() }),
        ),
      );
      if (!enabled) return;
      secretInput.value = '';
      await reload();
      announce('The authenticator app is on.');
      if (enabled.recoveryCodes) showCodes(enabled.recoveryCodes, true);
      else if (!unlockIfSetUp()) totpSection.heading.focus();
    });
    replace(totpSection.body, form);
    code.control.focus();
  }

  function disableTotp() {
    return confirmAction({
      title: 'Turn off the authenticator app?',
      message: hasOtherFactor()
        ? 'Tollgate will no longer ask for its codes. You can set it up again later.'
        : 'It is your only second factor: your password alone will sign you in, and your recovery codes stop working.',
      confirmLabel: 'Turn off',
      action: () => recent(() => api('DELETE', '/api/me/totp')),
      refresh: reload,
      focusFallback: totpSection.heading,
      announcement: 'The authenticator app is off.',
    });
  }

  function hasOtherFactor() {
    return passkeys.length > 0;
  }

  // ---- recovery codes ---------------------------------------------------------------------------

  function drawCodes() {
    if (!hasSecondFactor() && codes.total === 0) {
      return replace(
        codesSection.body,
        h(
          'p',
          {},
          'You get ten recovery codes with your first passkey or authenticator app. Each signs you in once if you lose them.',
        ),
      );
    }
    return replace(
      codesSection.body,
      h(
        'p',
        {},
        h('strong', {}, `${codes.remaining} of ${codes.total}`),
        ' codes left',
        codes.generatedAt ? [' (made ', time(codes.generatedAt, '—', { dateOnly: true }), ')'] : null,
        '. Each signs you in once when you cannot use your passkey or app.',
      ),
      codes.remaining <= 3 ? h('p', { class: 'notice notice-warning' }, 'Few codes are left: make new ones.') : null,
      h('div', { class: 'actions' }, button('Make new recovery codes', { onClick: regenerate })),
    );
  }

  function regenerate() {
    return confirmAction({
      title: 'Make new recovery codes?',
      message: 'Your current codes stop working at once. The new ones are shown once.',
      confirmLabel: 'Make new codes',
      tone: 'primary',
      action: () => recent(() => api<{ codes: string[] }>('POST', '/api/me/recovery-codes')),
      refresh: reload,
      focusFallback: codesSection.heading,
      announcement: (created) => {
        showCodes(created.codes, false);
        return 'New recovery codes are made. Store them now.';
      },
    });
  }

  /** The codes, this once: in the page (not in storage), with Copy, until the person says they stored them. */
  function showCodes(list: string[], first: boolean) {
    const titleId = uid('codes-title');
    const title = h('h2', { id: titleId, class: 'secret-title', tabindex: '-1' }, 'Store your recovery codes now');
    const text = list.join('\n');
    const panel = h(
      'section',
      { class: 'secret-panel', 'aria-labelledby': titleId },
      title,
      h(
        'p',
        { class: 'warning' },
        h('strong', {}, 'They will not be shown again. '),
        first ? 'They came with your first second factor. ' : 'Your previous codes no longer work. ',
        'Keep them in a password manager or on paper: each signs you in once if you lose your passkey or phone.',
      ),
      h(
        'ol',
        { class: 'recovery-codes', 'aria-label': 'Recovery codes', 'data-secret': '' },
        list.map((entry) => h('li', {}, h('code', {}, entry))),
      ),
      h(
        'div',
        { class: 'actions' },
        button('Copy all codes', {
          tone: 'primary',
          onClick: async () => {
            try {
              await navigator.clipboard.writeText(text);
              announce('The recovery codes are copied to the clipboard.');
            } catch {
              announceError('The browser did not let the console copy. Select the codes and copy them yourself.');
            }
          },
        }),
        button('Done, I have stored them', {
          onClick: () => {
            replace(codesSlot);
            if (!unlockIfSetUp()) codesSection.heading.focus();
          },
        }),
      ),
    );
    replace(codesSlot, panel);
    title.focus();
  }

  // ---- the organisation's policy (administrators) ------------------------------------------------

  async function policySection(): Promise<HTMLElement> {
    const section = listSection('Sign-in policy', 'policy-heading');
    const policy = await api<SignInPolicy>('GET', '/api/settings/sign-in-policy', undefined, { signal });
    const box = checkbox({
      label: 'Require a second factor for administrators',
      name: 'requireSecondFactorForAdmins',
      checked: policy.requireSecondFactorForAdmins,
      hint: 'An administrator without a passkey or an authenticator app can then do nothing but set one up. Set one up for yourself first.',
    });
    box.control.addEventListener('change', async () => {
      const wanted = box.control.checked;
      try {
        await api<SignInPolicy>('PUT', '/api/settings/sign-in-policy', { requireSecondFactorForAdmins: wanted });
        announce(
          wanted
            ? 'Administrators must now sign in with a second factor.'
            : 'Administrators may sign in with a password alone.',
        );
      } catch (error) {
        box.control.checked = !wanted;
        announceError(error);
      }
    });
    replace(section.body, box);
    return section.element;
  }

  // ---- recent sign-in -----------------------------------------------------------------------------

  /** Sends a change; if the API wants a recent sign-in, asks the person to confirm it is them, then sends it again. */
  async function recent<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'reauthentication_required')) throw error;
      if (!(await confirmItIsYou())) throw new ApiError(403, 'Nothing changed: you did not confirm it is you.');
      return send();
    }
  }

  /** The re-authentication dialog: the password, or one of the person's passkeys. */
  async function confirmItIsYou(): Promise<boolean> {
    const password = textField({
      label: 'Password',
      name: 'password',
      type: 'password',
      required: false,
      autocomplete: 'current-password',
      attributes: { maxlength: 1024 },
    });
    let withPasskey = false;
    const passkeyButton =
      passkeys.length > 0 && passkeysSupported()
        ? button('Use a passkey instead', {
            onClick: (event) => {
              withPasskey = true;
              (event.currentTarget as HTMLElement).closest('form')?.requestSubmit();
            },
          })
        : null;
    const result = await formDialog({
      title: 'Confirm it is you',
      description: 'You signed in more than 10 minutes ago. Enter your password to change how you sign in.',
      content: [password, passkeyButton ? h('div', { class: 'actions' }, passkeyButton) : null],
      submitLabel: 'Confirm',
      onSubmit: async () => {
        const usePasskey = withPasskey;
        withPasskey = false;
        if (!usePasskey && !password.control.value)
          throw new ApiError(400, 'Enter your password.', { body: { errors: ['password must not be empty'] } });
        const body = usePasskey
          ? { passkey: await passkeyAnswer('/api/session/reauthenticate/options') }
          : { password: password.control.value };
        // A wrong password is this dialog's error, not the end of the session.
        return api<StartedSession>('POST', '/api/session/reauthenticate', body, { sessionCall: true });
      },
    });
    password.control.value = '';
    return result !== null;
  }
}

/** The key URI as a QR code: the module matrix drawn as SVG rectangles (nodes, never markup strings). */
function qrCode(uri: string): SVGSVGElement {
  const { data, size } = encode(uri, { ecc: 'M', border: 2 });
  const modules: SVGElement[] = [];
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) modules.push(svg('rect', { x, y, width: 1, height: 1 }));
    }),
  );
  return svg(
    'svg',
    {
      class: 'qr-code',
      viewBox: `0 0 ${size} ${size}`,
      role: 'img',
      'aria-label': 'QR code for your authenticator app',
      'shape-rendering': 'crispEdges',
    },
    svg('rect', { width: size, height: size, class: 'qr-background' }),
    modules,
  );
}
