import { describe, expect, it, vi } from 'vitest';
import { newTokenId } from './token-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newTokenId', () => {
  it('mints RFC 9562 version 7 UUIDs, none repeated across many pool refills', () => {
    const ids = Array.from({ length: 5_000 }, newTokenId); // 80,000 random bytes: about 20 refills
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    // Every id has its own random tail: a pool slice used twice would repeat one.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });

  it('orders ids by the millisecond they were minted in', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12), toFake: ['Date'] });
    try {
      const earlier = newTokenId();
      vi.setSystemTime(Date.now() + 1);
      const later = newTokenId();
      expect(earlier < later).toBe(true);
      expect(earlier.slice(0, 8)).toBe(later.slice(0, 8)); // the same 48-bit time, one ms apart
      expect(parseInt(earlier.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 3, 12));
    } finally {
      vi.useRealTimers();
    }
  });
});
