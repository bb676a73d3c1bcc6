// Pieces the admin pages share: the grants picker, create-form disclosures, small formatters.
import { api } from '../api.js';
import { h, uid } from '../dom.js';
import { checkbox, heading } from '../ui.js';

export async function loadResources(signal) {
  const resources = await api('GET', '/api/resources', undefined, { signal });
  return [...resources].sort((a, b) => Number(a.system) - Number(b.system) || a.name.localeCompare(b.name));
}

/**
 * Scopes per resource as checkbox groups (one fieldset per resource); `selected` grants are
 * checked. Read it back with readGrants().
 */
export function grantsPicker({ legend, hint, resources, selected = [] }) {
  const chosen = new Map(selected.map((grant) => [grant.resource, new Set(grant.scopes)]));
  const hintId = hint ? uid('hint') : undefined;
  return h(
    'fieldset',
    { class: 'group grants-picker', 'aria-describedby': hintId },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    resources.length === 0
      ? h('p', { class: 'notice notice-warning' }, 'No resources are registered yet, so there are no scopes to grant.')
      : resources.map((resource) =>
          h(
            'fieldset',
            { class: 'checkbox-group' },
            h('legend', { class: 'legend-minor' }, `${resource.name}`, resource.name !== resource.indicator ? h('span', { class: 'muted' }, ` (${resource.indicator})`) : null),
            resource.scopes.length === 0
              ? h('p', { class: 'hint' }, 'This resource defines no scopes.')
              : resource.scopes.map((scope) => checkbox({ label: scope, name: 'grant', value: scope, checked: chosen.get(resource.indicator)?.has(scope), attributes: { 'data-resource': resource.indicator } })),
          ),
        ),
  );
}

/** The checked scopes of a grants picker, as { resource, scopes }[] (resources without a scope left out). */
export function readGrants(container) {
  const byResource = new Map();
  for (const box of container.querySelectorAll('input[name="grant"]:checked')) {
    const resource = box.dataset.resource;
    if (!byResource.has(resource)) byResource.set(resource, []);
    byResource.get(resource).push(box.value);
  }
  return [...byResource].map(([resource, scopes]) => ({ resource, scopes }));
}

/**
 * A button that opens a form section below it (aria-expanded / aria-controls); the first field gets
 * the focus on open, the button on close.
 */
export function disclosure({ label, title, content }) {
  const id = uid('panel');
  const titleId = `${id}-title`;
  const toggle = h('button', { type: 'button', class: 'button button-primary', 'aria-expanded': 'false', 'aria-controls': id }, label);
  const region = h('section', { id, class: 'card', 'aria-labelledby': titleId, hidden: true }, heading(2, title, { id: titleId }), content);
  const setOpen = (open) => {
    region.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) region.querySelector('input:not([type="hidden"]), select, textarea')?.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => setOpen(region.hidden));
  return { element: h('div', { class: 'create' }, toggle, region), open: () => setOpen(true), close: () => setOpen(false), hide: () => { region.hidden = true; toggle.setAttribute('aria-expanded', 'false'); } };
}

/** "Cancel" for a disclosure's form. */
export function cancelButton(onClick) {
  return h('button', { type: 'button', class: 'button', onClick }, 'Cancel');
}

/** A link to the audit log filtered by a credential (ids are not secrets). */
export function auditLink(credentialId, label) {
  return h('a', { href: `/console/admin/audit?credential=${encodeURIComponent(credentialId)}` }, 'Audit log', h('span', { class: 'visually-hidden' }, ` of ${label}`));
}

/** End of a chosen day (local time) as ISO 8601, for date inputs that mean "valid through". */
export function endOfDay(day) {
  return new Date(`${day}T23:59:59`).toISOString();
}

export function tomorrow() {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

/** Updates the page's query string without a new history entry (the selection survives a reload). */
export function setQuery(parameters) {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  history.replaceState(null, '', url.pathname + url.search);
}
