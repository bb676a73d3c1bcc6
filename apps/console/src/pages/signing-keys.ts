// Signing keys of the access tokens (JWTs): their states, rotation, and retiring a compromised key.
import { api, segment } from '../api.js';
import type { SigningKey, SigningKeyChange, SigningKeyState } from '../api-types.js';
import { confirmAction } from '../components/confirm-action.js';
import { actionsColumn, drawList } from '../components/table.js';
import { emptyState, h, statusBadge, time, type Child } from '../dom.js';
import { button, checkbox, dangerRowButton, listSection } from '../ui.js';
import type { PageContext } from './page.js';

const STATE_ORDER: Record<SigningKeyState, number> = { next: 0, current: 1, previous: 2, retired: 3 };
const STATE_MEANING: Record<SigningKeyState, string> = {
  next: 'published; signs after the next rotation',
  current: 'signs every new token',
  previous: 'published until the tokens it signed expire',
  retired: 'no longer published; its tokens are refused',
};

const RETIRE_CONSEQUENCE: Record<Exclude<SigningKeyState, 'retired'>, string> = {
  current:
    'The next key signs new tokens from now on and a new next key is created. Every token signed with this key is refused at once, everywhere: clients must get new tokens.',
  next: 'A new next key replaces it. Tokens it signed, if any, are refused at once, everywhere.',
  previous: 'Tokens it signed that have not expired yet are refused at once, everywhere.',
};

/** The lead paragraph under the page's title. */
export const lead = (): Child => [
  'Access tokens are JWTs signed by the current key; resource servers and the MQTT broker verify them with the public keys at ',
  h('a', { href: '/.well-known/jwks.json', target: '_blank', rel: 'noopener' }, '/.well-known/jwks.json'),
  '. Rotation is safe: the next key is published at least five minutes before it signs, and the previous one stays published until its tokens expire. A compromised key is retired: it leaves the key set and every token it signed is refused at once. Private keys are encrypted at rest and never leave the server.',
];

export async function render(page: HTMLElement, { signal }: PageContext): Promise<void> {
  let keys = await api<SigningKey[]>('GET', '/api/signing-keys', undefined, { signal });
  const list = listSection('Keys', 'keys');
  page.append(
    h(
      'div',
      { class: 'toolbar' },
      button('Rotate signing keys', { tone: 'primary', focusKey: 'rotate', onClick: rotate }),
    ),
    list.element,
  );
  draw();

  function draw() {
    const sorted = [...keys].sort(
      (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt.localeCompare(a.createdAt),
    );
    drawList(list.body, {
      caption: 'Signing keys, current first',
      columns: [
        'Key id (kid)',
        'Algorithm',
        'State',
        'Created',
        'Started signing',
        'Stopped signing',
        'Retired',
        actionsColumn(),
      ],
      rows: sorted.map(({ state, ...key }) => [
        h('code', {}, key.kid),
        key.alg,
        h('span', {}, statusBadge(state), h('br'), h('span', { class: 'muted' }, STATE_MEANING[state])),
        time(key.createdAt),
        time(key.activatedAt),
        time(key.deactivatedAt),
        time(key.retiredAt),
        state === 'retired'
          ? null
          : dangerRowButton('Retire', `key ${key.kid}`, `retire:${key.kid}`, () => retire(key.kid, state)),
      ]),
      rowAttributes: (index) => ({ class: sorted[index]?.state === 'current' ? 'row-selected' : undefined }),
      empty: emptyState('No signing keys.', 'The server creates its keys when it starts.'),
    });
  }

  function rotate() {
    const immediately = checkbox({
      label: 'The current key is compromised: rotate immediately',
      name: 'immediately',
      hint: 'Rotates even within five minutes of the last rotation, and retires the current key: every token it signed is refused at once, everywhere.',
    });
    return confirmAction({
      title: 'Rotate the signing keys?',
      message: h(
        'div',
        {},
        h(
          'p',
          {},
          'The next key starts signing new tokens at once. The current key becomes the previous key and stays published, so tokens it signed keep working until they expire. A new next key is created and published.',
        ),
        h(
          'p',
          {},
          'Do this on a schedule. Rotating again within five minutes is refused: resource servers may not have fetched the new next key yet.',
        ),
      ),
      content: immediately,
      confirmLabel: 'Rotate keys',
      tone: 'primary',
      action: () =>
        api<SigningKeyChange>(
          'POST',
          '/api/signing-keys/rotate',
          { immediately: immediately.control.checked },
          { signal },
        ),
      refresh: reload,
      focusFallback: list.heading,
      announcement: (result) => {
        const old = result.retired
          ? `${result.retired} is retired: its tokens are refused.`
          : `${result.previous} stays published until its tokens expire.`;
        return `Rotated: new tokens are signed with ${result.current}; ${old}`;
      },
    });
  }

  function retire(kid: string, state: Exclude<SigningKeyState, 'retired'>) {
    return confirmAction({
      title: `Retire the ${state} key?`,
      message: h(
        'div',
        {},
        h('p', {}, h('code', {}, kid)),
        h('p', {}, RETIRE_CONSEQUENCE[state]),
        h('p', {}, 'Do this when the key is compromised. It cannot be undone.'),
      ),
      confirmLabel: 'Retire key',
      action: () => api<SigningKeyChange>('POST', `/api/signing-keys/${segment(kid)}/retire`, undefined, { signal }),
      refresh: reload,
      focusFallback: list.heading,
      announcement: (result) => `${result.retired} is retired; new tokens are signed with ${result.current}.`,
    });
  }

  async function reload() {
    keys = await api<SigningKey[]>('GET', '/api/signing-keys', undefined, { signal });
    draw();
  }
}
