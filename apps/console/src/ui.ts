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

interface FieldOptions {
  label: string;
  name: string;
  value?: string;
  required?: boolean;
  hint?: string;
  attributes?: Attributes;
}

/**
 * A labelled control in its wrapper: the control gets its id, name and required flag, points at its
 * hint and error, and takes `own` (what its kind adds) and then the caller's `attributes`.
 */
function labelledControl<K extends 'input' | 'textarea' | 'select'>(
  tag: K,
  { label, name, required = false, hint, attributes = {} }: Omit<FieldOptions, 'value'>,
  own: Attributes,
  children: Child[] = [],
): Field<HTMLElementTagNameMap[K]> {
  const parts = fieldParts(label, hint, required);
  const control = h(
    tag,
    {
      id: parts.id,
      name,
      ...own,
      required,
      'aria-describedby': described(parts.hintId),
      'data-error-id': parts.errorId,
      ...attributes,
    },
    ...children,
  );
  return Object.assign(h('div', { class: 'field' }, parts.label, parts.hint, control, parts.error), { control });
}

/** A labelled input. Returns the wrapper; the control is `.control`. */
export function textField({
  type = 'text',
  value,
  autocomplete,
  ...options
}: FieldOptions & { type?: string; autocomplete?: string }): Field<HTMLInputElement> {
  return labelledControl('input', options, { type, value, autocomplete: autocomplete ?? 'off' });
}

/** A labelled number input from `min` to `max` (a numeric keypad on phones). */
export function numberField({
  min,
  max,
  ...options
}: FieldOptions & { min: number; max: number }): Field<HTMLInputElement> {
  return textField({ ...options, type: 'number', attributes: { min, max, inputmode: 'numeric' } });
}

export function textArea({
  value,
  rows = 3,
  ...options
}: FieldOptions & { rows?: number }): Field<HTMLTextAreaElement> {
  return labelledControl('textarea', options, { rows, spellcheck: 'false', value: value || undefined });
}

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

export function selectField({
  options,
  value,
  ...field
}: FieldOptions & { options: readonly Option[] }): Field<HTMLSelectElement> {
  return labelledControl('select', field, {}, [
    options.map((option) => h('option', { value: option.value, selected: option.value === value }, option.label)),
  ]);
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

interface GroupOptions {
  legend: string;
  name: string;
  options: readonly Option[];
  hint?: string;
}

/** A fieldset whose legend names the group, with its hint, around one control per option. */
function group(
  kind: 'checkbox-group' | 'radio-group',
  { legend, options, hint }: GroupOptions,
  control: (option: Option) => HTMLElement,
  legendClass?: string,
): HTMLFieldSetElement {
  const hintId = hint ? uid('hint') : null;
  return h(
    'fieldset',
    { class: kind, 'aria-describedby': hintId ?? undefined },
    h('legend', { class: legendClass }, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    options.map(control),
  );
}

/** Checkboxes in a fieldset whose legend names the group. */
export function checkboxGroup({
  checked = [],
  legendClass,
  ...options
}: GroupOptions & { checked?: readonly string[]; legendClass?: string }): HTMLFieldSetElement {
  return group(
    'checkbox-group',
    options,
    (option) =>
      checkbox({
        label: option.label,
        name: options.name,
        value: option.value,
        checked: checked.includes(option.value),
        hint: option.hint,
      }),
    legendClass,
  );
}

export function radioGroup({ value, ...options }: GroupOptions & { value: string }): HTMLFieldSetElement {
  return group('radio-group', options, (option) => {
    const id = uid('radio');
    return h(
      'div',
      { class: 'check' },
      h('input', { type: 'radio', id, name: options.name, value: option.value, checked: option.value === value }),
      h('label', { for: id }, option.label),
    );
  });
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

/** Enable or Disable, as the row's state asks; the focus stays on it when the row is redrawn. */
export function enableToggleButton(
  disabled: boolean,
  object: string,
  focusKey: string,
  onClick: () => unknown,
): HTMLButtonElement {
  return rowButton(disabled ? 'Enable' : 'Disable', object, { focusKey, onClick });
}

/**
 * The row's button that shows its details under the list (`what`: "keys", "tokens"): "Keys", or
 * "Showing keys" in the primary tone while they show.
 */
export function detailsButton(
  what: string,
  object: string,
  { showing, focusKey, onClick }: { showing: boolean; focusKey: string; onClick: () => unknown },
): HTMLButtonElement {
  const label = showing ? `Showing ${what}` : what.charAt(0).toUpperCase() + what.slice(1);
  return button([label, hidden(` of ${object}`)], {
    small: true,
    tone: showing ? 'primary' : undefined,
    focusKey,
    onClick,
  });
}

/** A row's action that cannot be undone (delete, revoke, retire), in the danger tone. */
export function dangerRowButton(
  label: string,
  object: string,
  focusKey: string,
  onClick: () => unknown,
): HTMLButtonElement {
  return rowButton(label, object, { tone: 'danger', focusKey, onClick });
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
