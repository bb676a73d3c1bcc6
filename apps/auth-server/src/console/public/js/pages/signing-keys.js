// Signing keys of the access tokens (JWTs): their states, and rotation.
import { api } from '../api.js';
import { formDialog } from '../dialog.js';
import { emptyState, h, replace, statusBadge, table, time, uid } from '../dom.js';
import { announce, button, checkbox, heading, redrawKeepingFocus } from '../ui.js';

const STATE_ORDER = { next: 0, current: 1, previous: 2, retired: 3 };
const STATE_MEANING = {
  next: 'published; signs after the next rotation',
  current: 'signs every new token',
  previous: 'published until the tokens it signed expire',
  retired: 'no longer published',
};

export async function render(page, { signal }) {
  let keys = await api('GET', '/api/signing-keys', undefined, { signal });
  const listHeading = heading(2, 'Keys', { id: uid('keys') });
  const list = h('div');
  page.append(
    heading(1, 'Signing keys'),
    h(
      'p',
      { class: 'lead' },
      'Access tokens are JWTs signed by the current key; resource servers and the MQTT broker verify them with the public keys at ',
      h('a', { href: '/.well-known/jwks.json', target: '_blank', rel: 'noopener' }, '/.well-known/jwks.json'),
      '. Rotation is safe: the next key is published at least five minutes before it signs, and the previous one stays published until its tokens expire. Private keys are encrypted at rest and never leave the server.',
    ),
    h('div', { class: 'toolbar' }, button('Rotate signing keys', { tone: 'primary', focusKey: 'rotate', onClick: rotate })),
    h('section', { 'aria-labelledby': listHeading.id }, listHeading, list),
  );
  draw();

  function draw() {
    const sorted = [...keys].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt.localeCompare(a.createdAt));
    if (sorted.length === 0) return replace(list, emptyState('No signing keys.', 'The server creates its keys when it starts.'));
    replace(
      list,
      table({
        caption: 'Signing keys, current first',
        captionHidden: true,
        columns: ['Key id (kid)', 'Algorithm', 'State', 'Created', 'Started signing', 'Stopped signing', 'Retired'],
        rows: sorted.map((key) => [
          h('code', {}, key.kid),
          key.alg,
          h('span', {}, statusBadge(key.state), h('br'), h('span', { class: 'muted' }, STATE_MEANING[key.state] ?? '')),
          time(key.createdAt),
          time(key.activatedAt),
          time(key.deactivatedAt),
          time(key.retiredAt),
        ]),
        rowAttributes: (index) => ({ class: sorted[index].state === 'current' ? 'row-selected' : undefined }),
      }),
    );
  }

  async function rotate() {
    const result = await formDialog({
      title: 'Rotate the signing keys?',
      description: h(
        'div',
        {},
        h('p', {}, 'The next key starts signing new tokens at once. The current key becomes the previous key and stays published, so tokens it signed keep working until they expire. A new next key is created and published.'),
        h('p', {}, 'Do this on a schedule. Rotating again within five minutes is refused: resource servers may not have fetched the new next key yet.'),
      ),
      content: [
        checkbox({
          label: 'The current key is compromised: rotate immediately',
          name: 'immediately',
          hint: 'Rotates even within five minutes of the last rotation; resource servers that have not fetched the key set since may refuse new tokens for a short while.',
        }),
      ],
      submitLabel: 'Rotate keys',
      onSubmit: (form) => api('POST', '/api/signing-keys/rotate', { immediately: form.elements.namedItem('immediately').checked }, { signal }),
    });
    if (!result) return;
    await redrawKeepingFocus(async () => {
      keys = await api('GET', '/api/signing-keys', undefined, { signal });
      draw();
    }, listHeading);
    announce(`Rotated: new tokens are signed with ${result.current}; ${result.previous} stays published until its tokens expire.`);
  }
}
