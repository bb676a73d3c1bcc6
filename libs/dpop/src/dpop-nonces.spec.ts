import { DpopNonces } from './dpop-nonces.js';

const SECRET = 'a-secret-of-the-auth-server-0123';

describe(DpopNonces.name, () => {
  let now: number;
  let sut: DpopNonces;
  beforeEach(() => {
    now = Date.parse('2026-12-04T12:00:30Z');
    sut = new DpopNonces({ secret: SECRET, windowSeconds: 60, now: () => now });
  });

  it('issues the window counter and a truncated HMAC, the same on every instance sharing the secret', () => {
    const other = new DpopNonces({ secret: new TextEncoder().encode(SECRET), now: () => now });

    const issued = sut.current();

    expect(issued).toMatch(/^[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(issued.split('.')[0], 'base64url').readBigUInt64BE()).toBe(BigInt(Math.floor(now / 60_000)));
    expect(other.current()).toBe(issued);
    expect(other.isValid(issued)).toBe(true);
  });

  it('accepts this window’s nonce and the previous one, and none older', () => {
    const issued = sut.current();
    expect(sut.isValid(issued)).toBe(true);
    now += 60_000;
    expect(sut.current()).not.toBe(issued);
    expect(sut.isValid(issued)).toBe(true);
    now += 60_000;
    expect(sut.isValid(issued)).toBe(false);
  });

  it('refuses a nonce of a window to come', () => {
    const future = new DpopNonces({ secret: SECRET, now: () => now + 60_000 }).current();
    expect(sut.isValid(future)).toBe(false);
  });

  it('refuses tampered, foreign, empty and malformed nonces without throwing', () => {
    const issued = sut.current();
    const [counter, mac] = issued.split('.');
    const other = new DpopNonces({ secret: 'another-secret-entirely-456789012', now: () => now });
    for (const nonce of [
      `${issued.slice(0, -2)}AA`,
      `${counter}.${mac.slice(0, -1)}`,
      `${counter}.`,
      `.${mac}`,
      `${counter}.${mac}.${mac}`,
      ` ${issued}`,
      other.current(),
      '',
      undefined,
      null as never,
      42 as never,
      'garbage',
      '.',
      'é'.repeat(33),
      'x'.repeat(10_000),
    ])
      expect(sut.isValid(nonce)).toBe(false);
  });
});
