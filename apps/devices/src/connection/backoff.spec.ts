import { Backoff } from './backoff.js';

describe(Backoff.name, () => {
  it('doubles up to the maximum, with jitter within the upper half', () => {
    const low = new Backoff(500, 4_000, () => 0);
    const high = new Backoff(500, 4_000, () => 1);
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('starts over after a reset', () => {
    const sut = new Backoff(100, 10_000, () => 1);
    sut.next();
    sut.next();
    sut.reset();
    expect(sut.next()).toBe(100);
  });

  it('does not overflow after many attempts', () => {
    const sut = new Backoff(100, 10_000, () => 1);
    for (let i = 0; i < 10_000; i++) sut.next();
    expect(sut.next()).toBe(10_000);
  });
});
