// DOM building without HTML strings: the page's CSP enforces Trusted Types with no policy, so the
// browser refuses innerHTML and every other string-to-markup sink. Text always goes in as text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element: h('button', { type: 'button', onClick }, 'Save'). Attributes false/null/undefined are left out. */
export function h(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element, same call shape as h(). */
export function svg(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

function build(element, attributes, children) {
  let selectValue;
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    // Defaults (the attributes), not only the current state, so that form.reset() comes back to them.
    else if (name === 'value' && element instanceof HTMLTextAreaElement) element.defaultValue = String(value);
    else if (name === 'value' && element instanceof HTMLSelectElement) selectValue = String(value);
    else if (name === 'checked' || name === 'selected') element.setAttribute(name, '');
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  // A <select>'s value names one of its options: set once they are there.
  if (selectValue !== undefined) element.value = selectValue;
  return element;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces an element's children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let counter = 0;
/** A document-unique id for label/for and aria-* references. */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Text only screen readers read (e.g. the object of a button: "Revoke <token name>"). */
export function hidden(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso) {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso) {
  return dateOnly.format(new Date(iso));
}

/** "in 3 days", "2 hours ago". */
export function formatRelative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const units = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds), 'second');
}

/** A <time> with the local date and time, the exact instant in its title; `empty` when there is no date. */
export function time(iso, empty = '—', { withRelative = false, dateOnly: onlyDate = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, empty);
  const text = onlyDate ? formatDate(iso) : formatDateTime(iso);
  return h('time', { datetime: iso, title: new Date(iso).toISOString() }, withRelative ? `${text} (${formatRelative(iso)})` : text);
}

export const DAY_MS = 86_400_000;

/** A table with a caption and column headers (scope=col); rows are arrays of cells (nodes or text). */
export function table({ caption, captionHidden = false, columns, rows, rowAttributes = () => ({}) }) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: captionHidden ? 'visually-hidden' : undefined }, caption),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column)))),
      h('tbody', {}, rows.map((row, index) => h('tr', rowAttributes(index), row.map((cell, column) => (column === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell)))))),
    ),
  );
}

/** A helpful empty state: what is missing and what to do about it. */
export function emptyState(title, ...explanation) {
  return h('div', { class: 'empty-state' }, h('p', { class: 'empty-title' }, title), explanation.length > 0 ? h('p', {}, ...explanation) : null);
}

/** A labelled badge; the text carries the meaning, the colour only repeats it. */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function statusBadge(status) {
  const tones = { active: 'success', expired: 'warning', revoked: 'danger', disabled: 'danger', enabled: 'success', current: 'success', next: 'info', previous: 'neutral', retired: 'neutral' };
  return badge(status, tones[status] ?? 'neutral');
}

/** A list of scopes as code chips. */
export function scopeList(scopes) {
  if (!scopes || scopes.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'chips' }, scopes.map((scope) => h('li', {}, h('code', {}, scope))));
}

/** Grants ({ resource, scopes }[]) as a definition list. */
export function grantList(grants) {
  if (!grants || grants.length === 0) return h('span', { class: 'muted' }, 'no scopes');
  return h('dl', { class: 'grants' }, grants.map((grant) => [h('dt', {}, grant.resource), h('dd', {}, scopeList(grant.scopes))]));
}
