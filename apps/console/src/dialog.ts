// Modal dialogs on the native <dialog> element: showModal() makes the rest of the page inert and
// Escape cancels; focus goes to the first field (or to Cancel when the action destroys something,
// per the WAI-ARIA dialog pattern) and comes back to the control that opened the dialog.
import { type Child, h, uid } from './dom.js';
import { errorSummary, whileSubmitting } from './ui.js';

/** What a dialog's action answered; null when the dialog was cancelled. */
export type DialogResult<T> = { value: T } | null;

export interface FormDialogOptions<T> {
  title: string;
  description?: Child;
  content?: Child;
  submitLabel: string;
  tone?: 'primary' | 'danger';
  /** Runs on submit; its result closes the dialog; if it throws, the error shows in the dialog, which stays open. */
  onSubmit: (form: HTMLFormElement) => T | Promise<T>;
  focusCancel?: boolean;
}

/** Opens a dialog with a form; resolves with what `onSubmit` answered, or null when cancelled. */
export function formDialog<T>({
  title,
  description,
  content = [],
  submitLabel,
  tone = 'primary',
  onSubmit,
  focusCancel = false,
}: FormDialogOptions<T>): Promise<DialogResult<T>> {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = uid('dialog-title');
    const descriptionId = description ? uid('dialog-description') : undefined;
    let busy = false;

    const cancel = h('button', { type: 'button', class: 'button', onClick: () => finish(null) }, 'Cancel');
    const submit = h('button', { type: 'submit', class: `button button-${tone}` }, submitLabel);
    const form = h(
      'form',
      { method: 'post', novalidate: true },
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      description ? h('div', { id: descriptionId, class: 'dialog-description' }, description) : null,
      content,
      errorSummary(),
      h('div', { class: 'actions' }, submit, cancel),
    );
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': descriptionId },
      form,
    );

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      if (!form.reportValidity()) return;
      busy = true;
      cancel.disabled = true;
      const result = await whileSubmitting(form, async () => ({ value: await onSubmit(form) }));
      busy = false;
      cancel.disabled = false;
      if (result) finish(result);
    });
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      if (!busy) finish(null);
    });

    function finish(result: DialogResult<T>): void {
      dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    }

    document.body.append(dialog);
    dialog.showModal();
    const first = form.querySelector<HTMLElement>('input:not([type="hidden"]):not([disabled]), select, textarea');
    (focusCancel || !first ? cancel : first).focus();
  });
}

export interface ConfirmDialogOptions<T> {
  title: string;
  /** What happens, in words: the consequence, and whether it can be undone. */
  message: Child;
  /** Fields to fill in before confirming (e.g. the scopes to save). */
  content?: Child;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  /** Runs inside the dialog once confirmed (its errors show in the dialog). */
  action: () => T | Promise<T>;
}

/** Asks before an action; resolves with the action's answer only when confirmed and done. */
export function confirmDialog<T>({
  title,
  message,
  content,
  confirmLabel,
  tone = 'danger',
  action,
}: ConfirmDialogOptions<T>): Promise<DialogResult<T>> {
  return formDialog({
    title,
    description: message,
    content,
    submitLabel: confirmLabel,
    tone,
    focusCancel: tone === 'danger',
    onSubmit: () => action(),
  });
}
