// A newly issued secret, shown once. It exists only in this panel's DOM: never in storage, a URL or
// a log; the panel goes when the person presses Done or leaves the page.
import { type Child, h, replace, uid } from '../dom.js';
import { announce, announceError, heading } from '../ui.js';

const open = new Set<() => void>();

/** Removes every secret still shown: on navigation, and when the page is hidden (so Back never brings one back). */
export function discardSecrets(): void {
  for (const discard of open) discard();
}
window.addEventListener('pagehide', discardSecrets);

export interface SecretPanelOptions {
  /** "personal access token", "API key", "client secret". */
  what: string;
  secret: string;
  /** The credential's name, if it has one. */
  name?: string;
  /** Extra nodes (e.g. the client id to use with the secret). */
  details?: Child;
  /** Called after the panel is removed by its Done button. */
  onDone?: () => void;
}

/** The panel that shows a new secret once, with Copy and Done. */
export function secretPanel({
  what,
  secret,
  name,
  details = [],
  onDone,
}: SecretPanelOptions): HTMLElement & { focusTitle: () => void } {
  const inputId = uid('secret');
  const warningId = uid('secret-warning');
  const title = heading(2, `Copy your new ${what} now`, { class: 'secret-title', id: uid('secret-title') });
  const input: HTMLInputElement = h('input', {
    id: inputId,
    class: 'secret-value',
    type: 'text',
    readonly: true,
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    'aria-describedby': warningId,
    'data-secret': '',
    onFocus: () => input.select(),
  });
  // The property, not the value attribute: the secret is not part of the serialised markup.
  input.value = secret;
  const copy = h(
    'button',
    { type: 'button', class: 'button button-primary', onClick: copySecret },
    'Copy',
    h('span', { class: 'visually-hidden' }, ` ${what}`),
  );
  const done = h('button', { type: 'button', class: 'button', onClick: close }, 'Done, I have stored it');
  const panel = h(
    'section',
    { class: 'secret-panel', 'aria-labelledby': title.id },
    title,
    h(
      'p',
      { id: warningId, class: 'warning' },
      h('strong', {}, 'It will not be shown again.'),
      ` Store it somewhere safe, such as a password manager or your CI's secret store. Anyone with this ${what} can use it${name ? ` (${name})` : ''} until it is revoked.`,
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: inputId }, capitalise(what)),
      h('div', { class: 'secret-row' }, input, copy),
    ),
    details,
    h('div', { class: 'actions' }, done),
  );

  async function copySecret(): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      announce(`The ${what} is copied to the clipboard.`);
    } catch {
      input.focus();
      input.select();
      announceError(
        `The browser did not let the console copy. The ${what} is selected: press Ctrl+C (⌘C on a Mac) to copy it.`,
      );
    }
  }

  function discard(): void {
    input.value = '';
    panel.remove();
    open.delete(discard);
  }

  function close(): void {
    discard();
    onDone?.();
  }

  open.add(discard);
  /** Puts the panel's heading in focus (call after inserting the panel). */
  return Object.assign(panel, { focusTitle: () => title.focus() });
}

/** Shows a new secret in `slot` (replacing whatever was there) and moves the focus to it. */
export function showSecret(slot: HTMLElement, options: SecretPanelOptions): void {
  const panel = secretPanel(options);
  replace(slot, panel);
  panel.focusTitle();
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
