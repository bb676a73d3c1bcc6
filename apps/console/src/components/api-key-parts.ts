// Pieces of an API key list that the administrator's API keys page and the developer portal share:
// the cells, the create form's request body, the key shown once, rolling, and the usage charts.
import { api, ApiError } from '../api.js';
import type { ApiKey, CreatedApiKey, KeyUsage } from '../api-types.js';
import { usageChart } from '../chart.js';
import { formDialog } from '../dialog.js';
import { h, statusBadge, time } from '../dom.js';
import { endOfDay, readGrants, tomorrow } from '../pages/common.js';
import { formValue, numberField, textArea, textField } from '../ui.js';
import { showSecret } from './secret-panel.js';

/** The create form's environment choices. */
export const KEY_ENVIRONMENTS = [
  { value: 'live', label: 'Live (tgk_live_…)' },
  { value: 'test', label: 'Test (tgk_test_…)' },
];

/** Days of usage each key's chart shows. */
export const USAGE_DAYS = 14;

/** A key's rate limit and address allowlist, or "none". */
export function keyLimits(key: ApiKey): HTMLElement {
  const parts: HTMLElement[] = [];
  if (key.rateLimit) parts.push(h('li', {}, `${key.rateLimit.requests} requests / ${key.rateLimit.perSeconds} s`));
  if (key.ipAllowlist?.length) parts.push(h('li', {}, `from ${key.ipAllowlist.join(', ')}`));
  return parts.length > 0 ? h('ul', { class: 'plain' }, parts) : h('span', { class: 'muted' }, 'none');
}

/** Its status, and whether it was rolled or rolled from another. */
export function keyStatus(key: ApiKey): HTMLElement {
  return h(
    'span',
    {},
    statusBadge(key.status),
    key.rolledToId
      ? [
          h('br'),
          h(
            'span',
            { class: 'muted' },
            key.status === 'active' ? 'rolled: works until the overlap ends' : 'replaced by a rolled key',
          ),
        ]
      : null,
    key.rolledFromId ? [h('br'), h('span', { class: 'muted' }, 'rolled from an older key')] : null,
  );
}

/** The create form's optional limits: expiry, allowed addresses and a rate limit (read by keyBody). */
export function keyLimitFields(): HTMLFieldSetElement {
  return h(
    'fieldset',
    { class: 'group' },
    h('legend', {}, 'Limits (optional)'),
    textField({
      label: 'Expires after',
      name: 'expiresOn',
      type: 'date',
      hint: 'Leave empty for a key that works until revoked or rolled.',
      attributes: { min: tomorrow() },
    }),
    textArea({
      label: 'Allowed addresses',
      name: 'ipAllowlist',
      hint: 'One IP address or CIDR block per line, e.g. 203.0.113.0/24. Empty: any address.',
      rows: 2,
    }),
    h(
      'div',
      { class: 'inline-fields' },
      numberField({ label: 'Rate limit: requests', name: 'rateRequests', min: 1, max: 100000 }),
      numberField({ label: 'per seconds', name: 'ratePerSeconds', min: 1, max: 86400 }),
    ),
  );
}

/** The body of POST …/keys from a create form (name, environment, grants picker, optional limits). */
export function keyBody(form: HTMLFormElement, grants: HTMLElement, name: string): Record<string, unknown> {
  const granted = readGrants(grants);
  const body: Record<string, unknown> = { name, environment: formValue(form, 'environment'), grants: granted };
  if (granted.length === 0) throw new ApiError(400, 'Pick at least one scope: a key without scopes can do nothing.');
  const expiresOn = formValue(form, 'expiresOn');
  if (expiresOn) body.expiresAt = endOfDay(expiresOn);
  const allowlist = formValue(form, 'ipAllowlist')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (allowlist.length > 0) body.ipAllowlist = allowlist;
  const requests = formValue(form, 'rateRequests');
  const perSeconds = formValue(form, 'ratePerSeconds');
  if (requests || perSeconds) {
    if (!requests || !perSeconds)
      throw new ApiError(400, 'A rate limit needs both numbers: how many requests, per how many seconds.');
    body.rateLimit = { requests: Number(requests), perSeconds: Number(perSeconds) };
  }
  return body;
}

/** The new key, shown once in `slot`, with how an application sends it. */
export function showApiKey(
  slot: HTMLElement,
  created: CreatedApiKey,
  how: 'created' | 'rolled',
  onDone: () => void,
): void {
  showSecret(slot, {
    what: 'API key',
    secret: created.key,
    name: created.name,
    details: h(
      'p',
      {},
      how === 'rolled' ? 'This key replaces the one you rolled. ' : '',
      'The application sends it as ',
      h('code', {}, 'Authorization: Bearer <key>'),
      ' or ',
      h('code', {}, 'X-API-Key: <key>'),
      '.',
    ),
    onDone,
  });
}

/** Asks for the overlap and rolls the key at `rollPath`; the new key, or null when cancelled. */
export async function askToRoll(key: ApiKey, rollPath: string, signal: AbortSignal): Promise<CreatedApiKey | null> {
  const overlap = numberField({
    label: 'The old key keeps working for (minutes)',
    name: 'minutes',
    value: '60',
    required: true,
    hint: 'Time to deploy the new key. 0 stops the old key at once; at most 43200 (30 days).',
    min: 0,
    max: 43200,
  });
  const rolled = await formDialog({
    title: `Roll the key “${key.name}”?`,
    description: h('p', {}, 'A new key with the same scopes and limits replaces it. You will see the new key once.'),
    content: overlap,
    submitLabel: 'Roll key',
    onSubmit: (form) => {
      const minutes = Number(formValue(form, 'minutes'));
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > 43200)
        throw new ApiError(400, 'The overlap must be a whole number of minutes between 0 and 43200.', {
          body: { errors: ['minutes must be between 0 and 43200'] },
        });
      return api<CreatedApiKey>('POST', rollPath, { expireCurrentInMinutes: minutes }, { signal });
    },
  });
  return rolled?.value ?? null;
}

/** Each shown key's usage from `usagePath(key)` (null where it could not be read). */
export async function loadUsage(
  keys: ApiKey[],
  usagePath: (key: ApiKey) => string,
  signal: AbortSignal,
): Promise<Map<string, KeyUsage | null>> {
  const usage = await Promise.all(
    keys.map((key) =>
      api<KeyUsage>('GET', `${usagePath(key)}?days=${USAGE_DAYS}`, undefined, { signal }).catch(() => null),
    ),
  );
  return new Map(keys.map((key, index) => [key.id, usage[index] ?? null]));
}

/** A chart of requests per day for each key, and where it was last used from. */
export function usageSection(titleId: string, keys: ApiKey[], usage: Map<string, KeyUsage | null>): HTMLElement {
  return h(
    'section',
    { class: 'usage-section', 'aria-labelledby': `${titleId}-usage` },
    h('h3', { id: `${titleId}-usage` }, `Requests in the last ${USAGE_DAYS} days`),
    keys.map((key) => {
      const usageOfKey = usage.get(key.id);
      return h(
        'div',
        { class: 'usage-key' },
        h('h4', {}, key.name, ' ', h('code', {}, `${key.displayPrefix}…`)),
        usageOfKey
          ? usageChart({ label: `the key ${key.name}`, usage: usageOfKey, days: USAGE_DAYS })
          : h('p', { class: 'muted' }, 'Usage could not be loaded.'),
        h(
          'p',
          { class: 'muted' },
          'Last used: ',
          key.lastUsedAt
            ? [
                time(key.lastUsedAt, '—', { withRelative: true }),
                key.lastUsedAddress ? ` from ${key.lastUsedAddress}` : '',
              ]
            : 'never',
        ),
      );
    }),
  );
}
