// Pieces the admin pages share: the grants picker, links to the audit log, small formatters.
import { api } from '../api.js';
import type { Grant, Resource } from '../api-types.js';
import { h, uid } from '../dom.js';
import { checkbox } from '../ui.js';

export async function loadResources(signal: AbortSignal): Promise<Resource[]> {
  const resources = await api<Resource[]>('GET', '/api/resources', undefined, { signal });
  return [...resources].sort((a, b) => Number(a.system) - Number(b.system) || a.name.localeCompare(b.name));
}

/**
 * Scopes per resource as checkbox groups (one fieldset per resource); `selected` grants are
 * checked. Read it back with readGrants().
 */
export function grantsPicker({
  legend,
  hint,
  resources,
  selected = [],
}: {
  legend: string;
  hint?: string;
  resources: readonly Pick<Resource, 'indicator' | 'name' | 'scopes'>[];
  selected?: readonly Grant[];
}): HTMLFieldSetElement {
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
            h(
              'legend',
              { class: 'legend-minor' },
              `${resource.name}`,
              resource.name !== resource.indicator ? h('span', { class: 'muted' }, ` (${resource.indicator})`) : null,
            ),
            resource.scopes.length === 0
              ? h('p', { class: 'hint' }, 'This resource defines no scopes.')
              : resource.scopes.map((scope) =>
                  checkbox({
                    label: scope,
                    name: 'grant',
                    value: scope,
                    checked: chosen.get(resource.indicator)?.has(scope),
                    attributes: { 'data-resource': resource.indicator },
                  }),
                ),
          ),
        ),
  );
}

/** The checked scopes of a grants picker, as { resource, scopes }[] (resources without a scope left out). */
export function readGrants(container: ParentNode): Grant[] {
  const byResource = new Map<string, string[]>();
  for (const box of container.querySelectorAll<HTMLInputElement>('input[name="grant"]:checked')) {
    const resource = box.dataset.resource ?? '';
    byResource.set(resource, [...(byResource.get(resource) ?? []), box.value]);
  }
  return [...byResource].map(([resource, scopes]) => ({ resource, scopes }));
}

/**
 * Whether a value pasted into a filter or search box is a secret (a whole Tollgate credential, as the
 * server's log redaction spots one, or a JWT) rather than an id, a name or a visible prefix such as
 * tgk_live_AbCd: such a value is refused before anything is sent.
 */
export function looksLikeSecret(value: string): boolean {
  return /\btg[kps]_(?:(?:live|test)_)?[0-9A-Za-z]{5,}|eyJ[\w-]*\.[\w-]+\./.test(value);
}

/** A link to the audit log filtered by a credential (ids are not secrets). */
export function auditLink(credentialId: string, label: string): HTMLAnchorElement {
  return h(
    'a',
    { href: `/console/admin/audit?credential=${encodeURIComponent(credentialId)}` },
    'Audit log',
    h('span', { class: 'visually-hidden' }, ` of ${label}`),
  );
}

/** End of a chosen day (local time) as ISO 8601, for date inputs that mean "valid through". */
export function endOfDay(day: string): string {
  return new Date(`${day}T23:59:59`).toISOString();
}

export function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

/** Updates the page's query string without a new history entry (the selection survives a reload). */
export function setQuery(parameters: Record<string, string | null | undefined>): void {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  history.replaceState(null, '', url.pathname + url.search);
}
