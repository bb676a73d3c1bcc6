// Signing keys of the access tokens (JWTs): their states, rotation, and retiring a compromised key.
import { api, segment } from '../api.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { emptyState, h, hidden, replace, statusBadge, table, time, uid } from '../dom.js';
import { announce, button, checkbox, heading, redrawKeepingFocus } from '../ui.js';

const STATE_ORDER = { next: 0, current: 1, previous: 2, retired: 3 };
const STATE_MEANING = {
  next: 'published; signs after the next rotation',
  current: 'signs every new token',
  previous: 'published until the tokens it signed expire',
  retired: 'no longer published; its tokens are refused',
};

const RETIRE_CONSEQUENCE = {
  current: 'The next key signs new tokens from now on and a new next key is created. Every token signed with this key is refused at once, everywhere: clients must get new tokens.',
  next: 'A new next key replaces it. Tokens it signed, if any, are refused at once, everywhere.',
  previous: 'Tokens it signed that have not expired yet are refused at once, everywhere.',
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
      '. Rotation is safe: the next key is published at least five minutes before it signs, and the previous one stays published until its tokens expire. A compromised key is retired: it leaves the key set and every token it signed is refused at once. Private keys are encrypted at rest and never leave the server.',
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
        columns: ['Key id (kid)', 'Algorithm', 'State', 'Created', 'Started signing', 'Stopped signing', 'Retired', h('span', { class: 'visually-hidden' }, 'Actions')],
        rows: sorted.map((key) => [
          h('code', {}, key.kid),
          key.alg,
          h('span', {}, statusBadge(key.state), h('br'), h('span', { class: 'muted' }, STATE_MEANING[key.state] ?? '')),
          time(key.createdAt),
          time(key.activatedAt),
          time(key.deactivatedAt),
          time(key.retiredAt),
          key.state === 'retired' ? null : button(['Retire', hidden(` key ${key.kid}`)], { small: true, tone: 'danger', focusKey: `retire:${key.kid}`, onClick: () => retire(key) }),
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
          hint: 'Rotates even within five minutes of the last rotation, and retires the current key: every token it signed is refused at once, everywhere.',
        }),
      ],
      submitLabel: 'Rotate keys',
      onSubmit: (form) => api('POST', '/api/signing-keys/rotate', { immediately: form.elements.namedItem('immediately').checked }, { signal }),
    });
    if (!result) return;
    await redrawKeepingFocus(reload, listHeading);
    const old = result.retired ? `${result.retired} is retired: its tokens are refused.` : `${result.previous} stays published until its tokens expire.`;
    announce(`Rotated: new tokens are signed with ${result.current}; ${old}`);
  }

  async function retire(key) {
    const result = await confirmDialog({
      title: `Retire the ${key.state} key?`,
      message: h('div', {}, h('p', {}, h('code', {}, key.kid)), h('p', {}, RETIRE_CONSEQUENCE[key.state]), h('p', {}, 'Do this when the key is compromised. It cannot be undone.')),
      confirmLabel: 'Retire key',
      action: () => api('POST', `/api/signing-keys/${segment(key.kid)}/retire`, undefined, { signal }),
    });
    if (!result) return;
    await redrawKeepingFocus(reload, listHeading);
    announce(`${result.retired} is retired; new tokens are signed with ${result.current}.`);
  }

  async function reload() {
    keys = await api('GET', '/api/signing-keys', undefined, { signal });
    draw();
  }
}
