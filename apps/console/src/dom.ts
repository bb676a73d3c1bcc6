// DOM building without HTML strings: the page's CSP enforces Trusted Types with no policy, so the
// browser refuses innerHTML and every other string-to-markup sink. Text always goes in as text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** What h() and append() take as content: nodes, text, nested lists; null, undefined and false are left out. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** An attribute's value (false/null/undefined: left out), an event handler (`onClick`), or a class list. */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly (string | false | null | undefined)[]
  | ((event: Event) => unknown);
export type Attributes = Record<string, AttributeValue>;

/** An element: h('button', { type: 'button', onClick }, 'Save'). Attributes false/null/undefined are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes?: Attributes,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attributes?: Attributes, ...children: Child[]): HTMLElement;
export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element, same call shape as h(). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

function build<E extends Element>(element: E, attributes: Attributes, children: Child[]): E {
  let selectValue: string | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      if (name.startsWith('on')) element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class')
      element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value));
    // Defaults (the attributes), not only the current state, so that form.reset() comes back to them.
    else if (name === 'value' && element instanceof HTMLTextAreaElement) element.defaultValue = String(value);
    else if (name === 'value' && element instanceof HTMLSelectElement) selectValue = String(value);
    else if (name === 'checked' || name === 'selected') element.setAttribute(name, '');
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  // A <select>'s value names one of its options: set once they are there.
  if (selectValue !== undefined && element instanceof HTMLSelectElement) element.value = selectValue;
  return element;
}

export function append<P extends ParentNode>(parent: P, children: Child): P {
  if (children === undefined || children === null || children === false) return parent;
  if (Array.isArray(children)) {
    for (const child of children as readonly Child[]) append(parent, child);
    return parent;
  }
  parent.append(children instanceof Node ? children : document.createTextNode(String(children)));
  return parent;
}

/** Replaces an element's children. */
export function replace<P extends ParentNode>(parent: P, ...children: Child[]): P {
  parent.replaceChildren();
  return append(parent, children);
}

let counter = 0;
/** A document-unique id for label/for and aria-* references. */
export function uid(prefix = 'id'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Text only screen readers read (e.g. the object of a button: "Revoke <token name>"). */
export function hidden(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** "in 3 days", "2 hours ago". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds), 'second');
}

/** A <time> with the local date and time, the exact instant in its title; `empty` when there is no date. */
export function time(
  iso: string | null | undefined,
  empty = '—',
  { withRelative = false, dateOnly: onlyDate = false } = {},
): HTMLElement {
  if (!iso) return h('span', { class: 'muted' }, empty);
  const text = onlyDate ? formatDate(iso) : formatDateTime(iso);
  return h(
    'time',
    { datetime: iso, title: new Date(iso).toISOString() },
    withRelative ? `${text} (${formatRelative(iso)})` : text,
  );
}

export const DAY_MS = 86_400_000;

/** A helpful empty state: what is missing and what to do about it. */
export function emptyState(title: string, ...explanation: Child[]): HTMLDivElement {
  return h(
    'div',
    { class: 'empty-state' },
    h('p', { class: 'empty-title' }, title),
    explanation.length > 0 ? h('p', {}, ...explanation) : null,
  );
}

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

/** A labelled badge; the text carries the meaning, the colour only repeats it. */
export function badge(text: string, tone: Tone = 'neutral'): HTMLSpanElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

const STATUS_TONES: Record<string, Tone> = {
  active: 'success',
  expired: 'warning',
  revoked: 'danger',
  disabled: 'danger',
  enabled: 'success',
  current: 'success',
  next: 'info',
  previous: 'neutral',
  retired: 'neutral',
};

export function statusBadge(status: string): HTMLSpanElement {
  return badge(status, STATUS_TONES[status] ?? 'neutral');
}

/** A list of scopes as code chips. */
export function scopeList(scopes: readonly string[] | null | undefined): HTMLElement {
  if (!scopes || scopes.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'chips' },
    scopes.map((scope) => h('li', {}, h('code', {}, scope))),
  );
}

/** Grants ({ resource, scopes }[]) as a definition list. */
export function grantList(
  grants: readonly { resource: string; scopes: readonly string[] }[] | null | undefined,
): HTMLElement {
  if (!grants || grants.length === 0) return h('span', { class: 'muted' }, 'no scopes');
  return h(
    'dl',
    { class: 'grants' },
    grants.map((grant) => [h('dt', {}, grant.resource), h('dd', {}, scopeList(grant.scopes))]),
  );
}
