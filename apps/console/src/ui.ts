// Messages (live regions), form fields with bound labels and errors, focus helpers.
import { ApiError, messageOf } from './api.js';
import { type Attributes, type Child, h, hidden, replace, uid } from './dom.js';

// ---- messages --------------------------------------------------------------------------------

let statusRegion: HTMLElement | null = null;
let alertRegion: HTMLElement | null = null;

/** The two live regions live in the page shell (index.html), outside the content that changes. */
export function initMessages(status: HTMLElement, alert: HTMLElement): void {
  statusRegion = status;
  alertRegion = alert;
}

/** A result, announced politely ("Token revoked"). */
// The regions are never display:none (screen readers skip changes in hidden live regions); CSS
// collapses them while empty. Each is cleared first so the same message twice is read twice.
export function announce(message: string): void {
  say(statusRegion, alertRegion, message);
}

/** A failure, announced at once; an ApiError's message is already in words. */
export function announceError(error: unknown): void {
  say(alertRegion, statusRegion, messageOf(error));
}

function say(region: HTMLElement | null, other: HTMLElement | null, message: string): void {
  if (!region || !other) return;
  replace(other);
  replace(region);
  setTimeout(() => replace(region, h('p', {}, message), dismissButton(region)), 50);
}

export function clearMessages(): void {
  for (const region of [statusRegion, alertRegion]) if (region) replace(region);
}

function dismissButton(region: HTMLElement): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: 'link-button', onClick: () => replace(region) },
    'Dismiss',
    h('span', { class: 'visually-hidden' }, ' message'),
  );
}

// ---- form fields -----------------------------------------------------------------------------

/** A field's wrapper; its control is `.control`. */
export type Field<C extends HTMLElement> = HTMLDivElement & { control: C };

function described(...ids: (string | null)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

function fieldParts(label: string, hint: string | undefined, required: boolean) {
  const id = uid('field');
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  return {
    id,
    hintId,
    errorId,
    label: h('label', { for: id }, label, required ? null : h('span', { class: 'optional' }, ' (optional)')),
    hint: hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    error: h('p', { class: 'field-error', id: errorId, hidden: true }),
  };
}

function field<C extends HTMLElement>(parts: ReturnType<typeof fieldParts>, control: C): Field<C> {
  return Object.assign(h('div', { class: 'field' }, parts.label, parts.hint, control, parts.error), { control });
}

interface FieldOptions {
  label: string;
  name: string;
  value?: string;
  required?: boolean;
  hint?: string;
  attributes?: Attributes;
}

/** A labelled input. Returns the wrapper; the control is `.control`. */
export function textField({
  label,
  name,
  type = 'text',
  value,
  required = false,
  hint,
  autocomplete,
  attributes = {},
}: FieldOptions & { type?: string; autocomplete?: string }): Field<HTMLInputElement> {
  const parts = fieldParts(label, hint, required);
  const input = h('input', {
    id: parts.id,
    name,
    type,
    value,
    required,
    autocomplete: autocomplete ?? 'off',
    'aria-describedby': described(parts.hintId),
    'data-error-id': parts.errorId,
    ...attributes,
  });
  return field(parts, input);
}

export function textArea({
  label,
  name,
  value,
  required = false,
  hint,
  rows = 3,
  attributes = {},
}: FieldOptions & { rows?: number }): Field<HTMLTextAreaElement> {
  const parts = fieldParts(label, hint, required);
  const control = h('textarea', {
    id: parts.id,
    name,
    rows,
    required,
    spellcheck: 'false',
    'aria-describedby': described(parts.hintId),
    'data-error-id': parts.errorId,
    ...attributes,
  });
  if (value) control.value = value;
  return field(parts, control);
}

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

export function selectField({
  label,
  name,
  options,
  value,
  required = false,
  hint,
  attributes = {},
}: FieldOptions & { options: readonly Option[] }): Field<HTMLSelectElement> {
  const parts = fieldParts(label, hint, required);
  const control = h(
    'select',
    {
      id: parts.id,
      name,
      required,
      'aria-describedby': described(parts.hintId),
      'data-error-id': parts.errorId,
      ...attributes,
    },
    options.map((option) => h('option', { value: option.value, selected: option.value === value }, option.label)),
  );
  return field(parts, control);
}

export function checkbox({
  label,
  name,
  value = 'on',
  checked = false,
  hint,
  attributes = {},
}: {
  label: string;
  name: string;
  value?: string;
  checked?: boolean;
  hint?: string;
  attributes?: Attributes;
}): Field<HTMLInputElement> {
  const id = uid('check');
  const hintId = hint ? `${id}-hint` : null;
  const control = h('input', {
    type: 'checkbox',
    id,
    name,
    value,
    checked,
    'aria-describedby': hintId ?? undefined,
    ...attributes,
  });
  return Object.assign(
    h(
      'div',
      { class: 'check' },
      control,
      h('label', { for: id }, label),
      hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    ),
    { control },
  );
}

/** Checkboxes in a fieldset whose legend names the group. */
export function checkboxGroup({
  legend,
  name,
  options,
  checked = [],
  hint,
  legendClass,
}: {
  legend: string;
  name: string;
  options: readonly Option[];
  checked?: readonly string[];
  hint?: string;
  legendClass?: string;
}): HTMLFieldSetElement {
  const hintId = hint ? uid('hint') : null;
  return h(
    'fieldset',
    { class: 'checkbox-group', 'aria-describedby': hintId ?? undefined },
    h('legend', { class: legendClass }, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    options.map((option) =>
      checkbox({
        label: option.label,
        name,
        value: option.value,
        checked: checked.includes(option.value),
        hint: option.hint,
      }),
    ),
  );
}

export function radioGroup({
  legend,
  name,
  options,
  value,
  hint,
}: {
  legend: string;
  name: string;
  options: readonly Option[];
  value: string;
  hint?: string;
}): HTMLFieldSetElement {
  const hintId = hint ? uid('hint') : null;
  return h(
    'fieldset',
    { class: 'radio-group', 'aria-describedby': hintId ?? undefined },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    options.map((option) => {
      const id = uid('radio');
      return h(
        'div',
        { class: 'check' },
        h('input', { type: 'radio', id, name, value: option.value, checked: option.value === value }),
        h('label', { for: id }, option.label),
      );
    }),
  );
}

/** Values of the checked boxes named `name`. */
export function checkedValues(form: ParentNode, name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[type="checkbox"][name="${CSS.escape(name)}"]:checked`)].map(
    (input) => input.value,
  );
}

/** A control's value, trimmed; a radio group's checked value; '' when there is no such control. */
export function formValue(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  if (!control) return '';
  if (control instanceof RadioNodeList) return control.value;
  return 'value' in control && typeof control.value === 'string' ? control.value.trim() : '';
}

/** Whether the checkbox named `name` is checked. */
export function isChecked(form: HTMLFormElement, name: string): boolean {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement && control.checked;
}

/** The form control named `name` (an input, select or textarea), for reading or resetting it. */
export function control(
  form: HTMLFormElement,
  name: string,
): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const found = form.elements.namedItem(name);
  if (found instanceof HTMLInputElement || found instanceof HTMLSelectElement || found instanceof HTMLTextAreaElement)
    return found;
  throw new Error(`The form has no control named ${name}`);
}

// ---- form errors -----------------------------------------------------------------------------

/** The error summary of a form: announced (role=alert) and focused when it fills. */
export function errorSummary(): HTMLDivElement {
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
}

export function clearFormErrors(form: HTMLFormElement): void {
  const summary = form.querySelector<HTMLElement>('.error-summary');
  if (summary) {
    replace(summary);
    summary.hidden = true;
  }
  for (const invalid of form.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) {
    invalid.removeAttribute('aria-invalid');
    const error = document.getElementById(invalid.dataset.errorId ?? '');
    if (error) {
      replace(error);
      error.hidden = true;
    }
    invalid.setAttribute(
      'aria-describedby',
      (invalid.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .filter((id) => id && id !== invalid.dataset.errorId)
        .join(' '),
    );
    if (!invalid.getAttribute('aria-describedby')) invalid.removeAttribute('aria-describedby');
  }
}

/**
 * Shows an error in the form's summary, and next to a field when a validation message names it
 * (class-validator messages start with the property: "name must be 1–100 characters").
 */
export function showFormError(form: HTMLFormElement, error: unknown): void {
  clearFormErrors(form);
  const summary = form.querySelector<HTMLElement>('.error-summary');
  const details = error instanceof ApiError ? error.errors : [];
  for (const detail of details) {
    const named = form.elements.namedItem(detail.split(' ')[0] ?? '');
    if (!(named instanceof HTMLElement) || !named.dataset.errorId) continue;
    named.setAttribute('aria-invalid', 'true');
    const errorElement = document.getElementById(named.dataset.errorId);
    if (errorElement) {
      replace(errorElement, detail);
      errorElement.hidden = false;
    }
    named.setAttribute(
      'aria-describedby',
      [named.getAttribute('aria-describedby'), named.dataset.errorId].filter(Boolean).join(' '),
    );
  }
  if (!summary) return;
  replace(
    summary,
    h('p', { class: 'error-title' }, messageOf(error)),
    details.length > 0
      ? h(
          'ul',
          {},
          details.map((detail) => h('li', {}, detail)),
        )
      : null,
  );
  summary.hidden = false;
  summary.focus();
}

/** Runs `action` with the form's submit button disabled and aria-busy set; errors go to the form (and undefined is returned). */
export async function whileSubmitting<T>(form: HTMLFormElement, action: () => T | Promise<T>): Promise<T | undefined> {
  const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"]')];
  clearFormErrors(form);
  form.setAttribute('aria-busy', 'true');
  for (const submit of buttons) submit.disabled = true;
  try {
    return await action();
  } catch (error) {
    showFormError(form, error);
    return undefined;
  } finally {
    form.removeAttribute('aria-busy');
    for (const submit of buttons) if (submit.isConnected && !submit.dataset.keepDisabled) submit.disabled = false;
  }
}

// ---- buttons and focus -----------------------------------------------------------------------

export interface ButtonOptions {
  onClick?: (event: Event) => unknown;
  tone?: 'primary' | 'danger';
  focusKey?: string;
  type?: 'button' | 'submit';
  small?: boolean;
  describedBy?: string;
  disabled?: boolean;
}

/** A button; `focusKey` lets the focus come back to the same button after its list is drawn again. */
export function button(
  label: Child,
  { onClick, tone, focusKey, type = 'button', small = false, describedBy, disabled = false }: ButtonOptions = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type,
      class: ['button', tone && `button-${tone}`, small && 'button-small'],
      onClick,
      'data-focus-key': focusKey,
      'aria-describedby': describedBy,
      disabled,
    },
    label,
  );
}

/** A small button in a table row, named for screen readers after what it acts on ("Revoke" + " deploy script"). */
export function rowButton(
  label: string,
  object: string,
  options: ButtonOptions & { focusKey: string },
): HTMLButtonElement {
  return button([label, hidden(` ${object}`)], { small: true, ...options });
}

/** Where the focus goes when a redraw removed the focused element: an element, or a function that finds it then. */
export type FocusFallback = HTMLElement | null | undefined | (() => HTMLElement | null | undefined);

/**
 * Redraws a part of the page keeping the keyboard user's place: the element with the same
 * data-focus-key gets the focus back, else `fallback` (usually the section's heading; a function
 * when the redraw replaces the heading too).
 */
export async function redrawKeepingFocus(redraw: () => unknown, fallback: FocusFallback): Promise<void> {
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const key = active?.dataset.focusKey;
  const hadFocusInside = active && active !== document.body;
  await redraw();
  if (key) {
    const again = document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again && !(again instanceof HTMLButtonElement && again.disabled)) return again.focus();
  }
  if (hadFocusInside && (!active.isConnected || document.activeElement === document.body))
    (typeof fallback === 'function' ? fallback() : fallback)?.focus();
}

/** A heading that can take focus (after navigation, or when its content is redrawn). */
export function heading(level: 1 | 2 | 3, text: string, attributes: Attributes = {}): HTMLHeadingElement {
  return h(`h${level}`, { tabindex: '-1', ...attributes }, text) as HTMLHeadingElement;
}

/** The page's title and the paragraph that says what it is for. */
export function pageIntro(title: string, lead: Child): HTMLElement[] {
  return [heading(1, title), h('p', { class: 'lead' }, lead)];
}

/** A section of a page under a focusable h2: `body` is what gets redrawn. */
export function listSection(
  title: string,
  idPrefix: string,
): { heading: HTMLHeadingElement; body: HTMLDivElement; element: HTMLElement } {
  const sectionHeading = heading(2, title, { id: uid(idPrefix) });
  const body = h('div');
  return {
    heading: sectionHeading,
    body,
    element: h('section', { 'aria-labelledby': sectionHeading.id }, sectionHeading, body),
  };
}
