import { KeyedTokenBuckets, TokenBucket } from './token-bucket.js';

describe(KeyedTokenBuckets.name, () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a burst up to capacity, then refuses', () => {
    const sut = new KeyedTokenBuckets({ capacity: 3, refillPerSecond: 1, now: clock });
    expect([sut.tryTake('a'), sut.tryTake('a'), sut.tryTake('a'), sut.tryTake('a')]).toEqual([true, true, true, false]);
  });

  it('refills at the configured rate, never above capacity', () => {
    const sut = new KeyedTokenBuckets({ capacity: 2, refillPerSecond: 2, now: clock });
    sut.tryTake('a');
    sut.tryTake('a');
    expect(sut.tryTake('a')).toBe(false);
    now += 499;
    expect(sut.tryTake('a')).toBe(false);
    now += 2;
    expect(sut.tryTake('a')).toBe(true);
    now += 60_000;
    expect([sut.tryTake('a'), sut.tryTake('a'), sut.tryTake('a')]).toEqual([true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const sut = new KeyedTokenBuckets({ capacity: 1, refillPerSecond: 0.001, now: clock });
    expect(sut.tryTake('10.0.0.1')).toBe(true);
    expect(sut.tryTake('10.0.0.1')).toBe(false);
    expect(sut.tryTake('10.0.0.2')).toBe(true);
  });

  it('does not refill when the clock steps back', () => {
    const sut = new KeyedTokenBuckets({ capacity: 1, refillPerSecond: 1, now: clock });
    sut.tryTake('a');
    now -= 10_000;
    expect(sut.tryTake('a')).toBe(false);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new KeyedTokenBuckets({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new KeyedTokenBuckets({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
  });
});

describe(TokenBucket.name, () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('takes several tokens at once and says how long until the next take', () => {
    const sut = new TokenBucket({ capacity: 1000, refillPerSecond: 1000, now: clock });
    expect(sut.tryTake(600)).toBe(true);
    expect(sut.msUntil(600)).toBe(200);
    expect(sut.tryTake(600)).toBe(false);
    now += 200;
    expect(sut.msUntil(600)).toBe(0);
    expect(sut.tryTake(600)).toBe(true);
  });

  it('lets a take larger than the bucket through when full, and makes the next ones wait off the debt', () => {
    const sut = new TokenBucket({ capacity: 1000, refillPerSecond: 1000, now: clock });
    expect(sut.tryTake(3000)).toBe(true);
    expect(sut.isFull()).toBe(false);
    expect(sut.msUntil(1)).toBe(2001);
    now += 2001;
    expect(sut.tryTake(1)).toBe(true);
    expect(sut.msUntil(3000)).toBe(1000);
    now += 1000;
    expect(sut.isFull()).toBe(true);
  });
});
