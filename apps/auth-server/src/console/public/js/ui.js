// Messages (live regions), form fields with bound labels and errors, focus helpers.
import { h, replace, uid } from './dom.js';

// ---- messages --------------------------------------------------------------------------------

let statusRegion;
let alertRegion;

/** The two live regions live in the page shell (index.html), outside the content that changes. */
export function initMessages(status, alert) {
  statusRegion = status;
  alertRegion = alert;
}

/** A result, announced politely ("Token revoked"). */
// The regions are never display:none (screen readers skip changes in hidden live regions); CSS
// collapses them while empty. Each is cleared first so the same message twice is read twice.
export function announce(message) {
  replace(alertRegion);
  replace(statusRegion);
  setTimeout(() => replace(statusRegion, h('p', {}, message), dismissButton(statusRegion)), 50);
}

/** A failure, announced at once; an ApiError's message is already in words. */
export function announceError(error) {
  const message = typeof error === 'string' ? error : (error?.message ?? 'Something went wrong.');
  replace(statusRegion);
  replace(alertRegion);
  setTimeout(() => replace(alertRegion, h('p', {}, message), dismissButton(alertRegion)), 50);
}

export function clearMessages() {
  for (const region of [statusRegion, alertRegion]) if (region) replace(region);
}

function dismissButton(region) {
  return h('button', { type: 'button', class: 'link-button', onClick: () => replace(region) }, 'Dismiss', h('span', { class: 'visually-hidden' }, ' message'));
}

// ---- form fields -----------------------------------------------------------------------------

function described(...ids) {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

function fieldParts(label, hint, required) {
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

/** A labelled input. Returns the wrapper; the control is `.control`. */
export function textField({ label, name, type = 'text', value, required = false, hint, autocomplete, attributes = {} }) {
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
  const wrapper = h('div', { class: 'field' }, parts.label, parts.hint, input, parts.error);
  wrapper.control = input;
  return wrapper;
}

export function textArea({ label, name, value, required = false, hint, rows = 3, attributes = {} }) {
  const parts = fieldParts(label, hint, required);
  const control = h('textarea', { id: parts.id, name, rows, required, spellcheck: 'false', 'aria-describedby': described(parts.hintId), 'data-error-id': parts.errorId, ...attributes });
  if (value) control.value = value;
  const wrapper = h('div', { class: 'field' }, parts.label, parts.hint, control, parts.error);
  wrapper.control = control;
  return wrapper;
}

export function selectField({ label, name, options, value, required = false, hint, attributes = {} }) {
  const parts = fieldParts(label, hint, required);
  const control = h(
    'select',
    { id: parts.id, name, required, 'aria-describedby': described(parts.hintId), 'data-error-id': parts.errorId, ...attributes },
    options.map((option) => h('option', { value: option.value, selected: option.value === value }, option.label)),
  );
  const wrapper = h('div', { class: 'field' }, parts.label, parts.hint, control, parts.error);
  wrapper.control = control;
  return wrapper;
}

export function checkbox({ label, name, value = 'on', checked = false, hint, attributes = {} }) {
  const id = uid('check');
  const hintId = hint ? `${id}-hint` : null;
  const control = h('input', { type: 'checkbox', id, name, value, checked, 'aria-describedby': hintId ?? undefined, ...attributes });
  const wrapper = h('div', { class: 'check' }, control, h('label', { for: id }, label), hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
  wrapper.control = control;
  return wrapper;
}

/** Checkboxes in a fieldset whose legend names the group. */
export function checkboxGroup({ legend, name, options, checked = [], hint, legendClass }) {
  const hintId = hint ? uid('hint') : null;
  return h(
    'fieldset',
    { class: 'checkbox-group', 'aria-describedby': hintId ?? undefined },
    h('legend', { class: legendClass }, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    options.map((option) => checkbox({ label: option.label, name, value: option.value, checked: checked.includes(option.value), hint: option.hint })),
  );
}

export function radioGroup({ legend, name, options, value, hint }) {
  const hintId = hint ? uid('hint') : null;
  return h(
    'fieldset',
    { class: 'radio-group', 'aria-describedby': hintId ?? undefined },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    options.map((option) => {
      const id = uid('radio');
      return h('div', { class: 'check' }, h('input', { type: 'radio', id, name, value: option.value, checked: option.value === value }), h('label', { for: id }, option.label));
    }),
  );
}

/** Values of the checked boxes named `name`. */
export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(name)}"]:checked`)].map((input) => input.value);
}

export function formValue(form, name) {
  const control = form.elements.namedItem(name);
  if (!control) return '';
  if (control instanceof RadioNodeList) return control.value;
  return typeof control.value === 'string' ? control.value.trim() : '';
}

// ---- form errors -----------------------------------------------------------------------------

/** The error summary of a form: announced (role=alert) and focused when it fills. */
export function errorSummary() {
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
}

export function clearFormErrors(form) {
  const summary = form.querySelector('.error-summary');
  if (summary) {
    replace(summary);
    summary.hidden = true;
  }
  for (const control of form.querySelectorAll('[aria-invalid="true"]')) {
    control.removeAttribute('aria-invalid');
    const error = document.getElementById(control.dataset.errorId ?? '');
    if (error) {
      replace(error);
      error.hidden = true;
    }
    control.setAttribute('aria-describedby', (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== control.dataset.errorId).join(' '));
    if (!control.getAttribute('aria-describedby')) control.removeAttribute('aria-describedby');
  }
}

/**
 * Shows an error in the form's summary, and next to a field when a validation message names it
 * (class-validator messages start with the property: "name must be 1–100 characters").
 */
export function showFormError(form, error) {
  clearFormErrors(form);
  const summary = form.querySelector('.error-summary');
  const message = typeof error === 'string' ? error : (error?.message ?? 'Something went wrong.');
  const details = typeof error === 'object' && error?.errors ? error.errors : [];
  for (const detail of details) {
    const field = detail.split(' ')[0];
    const control = form.elements.namedItem(field);
    if (control && !(control instanceof RadioNodeList) && control.dataset?.errorId) {
      control.setAttribute('aria-invalid', 'true');
      const errorElement = document.getElementById(control.dataset.errorId);
      if (errorElement) {
        replace(errorElement, detail);
        errorElement.hidden = false;
      }
      control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), control.dataset.errorId].filter(Boolean).join(' '));
    }
  }
  if (!summary) return;
  replace(summary, h('p', { class: 'error-title' }, message), details.length > 0 ? h('ul', {}, details.map((detail) => h('li', {}, detail))) : null);
  summary.hidden = false;
  summary.focus();
}

/** Runs `action` with the form's submit button disabled and aria-busy set; errors go to the form. */
export async function whileSubmitting(form, action) {
  const buttons = [...form.querySelectorAll('button[type="submit"]')];
  clearFormErrors(form);
  form.setAttribute('aria-busy', 'true');
  for (const button of buttons) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showFormError(form, error);
    return undefined;
  } finally {
    form.removeAttribute('aria-busy');
    for (const button of buttons) if (button.isConnected && !button.dataset.keepDisabled) button.disabled = false;
  }
}

// ---- buttons and focus -----------------------------------------------------------------------

/** A button; `focusKey` lets the focus come back to the same button after its list is drawn again. */
export function button(label, { onClick, tone, focusKey, type = 'button', small = false, describedBy, disabled = false } = {}) {
  return h('button', { type, class: ['button', tone && `button-${tone}`, small && 'button-small'], onClick, 'data-focus-key': focusKey, 'aria-describedby': describedBy, disabled }, label);
}

/**
 * Redraws a part of the page keeping the keyboard user's place: the element with the same
 * data-focus-key gets the focus back, else `fallback` (usually the section's heading; a function
 * when the redraw replaces the heading too).
 */
export async function redrawKeepingFocus(redraw, fallback) {
  const active = document.activeElement;
  const key = active?.dataset?.focusKey;
  const hadFocusInside = active && active !== document.body;
  await redraw();
  if (key) {
    const again = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again && !again.disabled) return again.focus();
  }
  if (hadFocusInside && (!active.isConnected || document.activeElement === document.body)) (typeof fallback === 'function' ? fallback() : fallback)?.focus();
}

/** A heading that can take focus (after navigation, or when its content is redrawn). */
export function heading(level, text, attributes = {}) {
  return h(`h${level}`, { tabindex: '-1', ...attributes }, text);
}
