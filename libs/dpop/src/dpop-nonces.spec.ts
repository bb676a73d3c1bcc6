import { DpopNonces } from './dpop-nonces.js';

describe(DpopNonces.name, () => {
  let now = Date.parse('2026-12-04T12:00:00Z');
  const sut = new DpopNonces({ secret: 'a-secret-of-the-auth-server-0123', windowSeconds: 60, now: () => now });

  it('accepts this window’s nonce and the previous one, and no older', () => {
    const issued = sut.current();
    expect(sut.isValid(issued)).toBe(true);
    now += 60_000;
    expect(sut.isValid(issued)).toBe(true);
    expect(sut.current()).not.toBe(issued);
    now += 60_000;
    expect(sut.isValid(issued)).toBe(false);
  });

  it('refuses tampered, foreign, empty and malformed nonces without throwing', () => {
    const issued = sut.current();
    const other = new DpopNonces({ secret: 'another-secret-entirely-456789012', now: () => now });
    for (const nonce of [
      `${issued.slice(0, -2)}AA`,
      other.current(),
      '',
      undefined,
      'garbage',
      '.',
      'x'.repeat(10_000),
    ])
      expect(sut.isValid(nonce)).toBe(false);
  });
});
