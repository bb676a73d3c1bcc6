// Modal dialogs on the native <dialog> element: showModal() makes the rest of the page inert and
// Escape cancels; focus goes to the first field (or to Cancel when the action destroys something,
// per the WAI-ARIA dialog pattern) and comes back to the control that opened the dialog.
import { h, uid } from './dom.js';
import { errorSummary, whileSubmitting } from './ui.js';

/**
 * Opens a dialog with a form. `onSubmit(form)` runs on submit; its result closes the dialog and
 * resolves the promise; if it throws, the error is shown in the dialog, which stays open.
 * Resolves null when cancelled.
 */
export function formDialog({ title, description, content = [], submitLabel, tone = 'primary', onSubmit, focusCancel = false }) {
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
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': descriptionId }, form);

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      if (!form.reportValidity()) return;
      busy = true;
      cancel.disabled = true;
      const result = await whileSubmitting(form, async () => ({ value: await onSubmit(form) }));
      busy = false;
      cancel.disabled = false;
      if (result) finish(result.value ?? true);
    });
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      if (!busy) finish(null);
    });

    function finish(value) {
      dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(value);
    }

    document.body.append(dialog);
    dialog.showModal();
    const first = form.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea');
    (focusCancel || !first ? cancel : first).focus();
  });
}

/** Asks before an action; resolves true only when confirmed. `action` runs inside (its errors show in the dialog). */
export async function confirmDialog({ title, message, confirmLabel, tone = 'danger', action = async () => true }) {
  const result = await formDialog({ title, description: message, submitLabel: confirmLabel, tone, focusCancel: tone === 'danger', onSubmit: action });
  return result;
}
