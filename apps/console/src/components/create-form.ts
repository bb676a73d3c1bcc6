// "Create a …" forms: a button that opens the form below it, the form with its error summary, and
// the submit → reset → close → show-the-result sequence every create form follows.
import { ApiError } from '../api.js';
import { type Child, h, uid } from '../dom.js';
import { errorSummary, type Field, formValue, heading, textField, whileSubmitting } from '../ui.js';

export interface Disclosure {
  element: HTMLElement;
  open: () => void;
  /** Closes and gives the focus back to the button. */
  close: () => void;
  /** Closes without moving the focus (after a success, the result takes it). */
  hide: () => void;
}

/**
 * A button that opens a form section below it (aria-expanded / aria-controls); the first field gets
 * the focus on open, the button on close.
 */
export function disclosure({
  label,
  title,
  content,
  id = uid('panel'),
}: {
  label: string;
  title: string;
  content: Child;
  id?: string;
}): Disclosure {
  const titleId = `${id}-title`;
  const toggle = h(
    'button',
    { type: 'button', class: 'button button-primary', 'aria-expanded': 'false', 'aria-controls': id },
    label,
  );
  const region = h(
    'section',
    { id, class: 'card', 'aria-labelledby': titleId, hidden: true },
    heading(2, title, { id: titleId }),
    content,
  );
  const setOpen = (open: boolean) => {
    region.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) region.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea')?.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => setOpen(region.hidden !== false));
  const hide = () => {
    region.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
  };
  return {
    element: h('div', { class: 'create' }, toggle, region),
    open: () => setOpen(true),
    close: () => setOpen(false),
    hide,
  };
}

export interface CreateFormOptions<T> {
  /** The button that opens the form ("Create a key"); the title by default. */
  label?: string;
  /** The form's heading ("Create a key for Zapflow"). */
  title: string;
  fields: Child;
  /** The submit button ("Create key"). */
  submitLabel: string;
  /** The id of the section (for a fixed aria-controls target); a generated one by default. */
  id?: string;
  formClass?: string;
  /** Reads the form and sends it; what it throws (an ApiError) shows in the form, which stays open. */
  submit: (form: HTMLFormElement) => Promise<T>;
  /** After a success, with the form reset and closed: show the result (a secret, a message). */
  done: (created: T, form: HTMLFormElement) => unknown;
}

/** A create form behind its disclosure button. */
export function createForm<T>({
  label,
  title,
  fields,
  submitLabel,
  id,
  formClass,
  submit,
  done,
}: CreateFormOptions<T>): Disclosure & { form: HTMLFormElement } {
  const form = h(
    'form',
    { method: 'post', novalidate: true, class: formClass },
    fields,
    errorSummary(),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, submitLabel),
      h('button', { type: 'button', class: 'button', onClick: () => panel.close() }, 'Cancel'),
    ),
  );
  const panel = disclosure({ label: label ?? title, title, content: form, id });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const created = await whileSubmitting(form, async () => ({ value: await submit(form) }));
    if (!created) return;
    form.reset();
    panel.hide();
    await done(created.value, form);
  });
  return { ...panel, form };
}

/** The "Name" field most create forms start with (1–100 characters, as the API requires). */
export function nameField(hint?: string): Field<HTMLInputElement> {
  return textField({ label: 'Name', name: 'name', required: true, hint, attributes: { maxlength: 100 } });
}

/** The name typed in `form`'s name field; without one, an error that says so next to the field. */
export function requiredName(form: HTMLFormElement, what: string): string {
  const name = formValue(form, 'name');
  if (!name)
    throw new ApiError(400, `Give the ${what} a name.`, { body: { errors: ['name must be 1–100 characters'] } });
  return name;
}
