import { MemoryDpopReplayCache, RedisDpopReplayCache } from './dpop-replay-cache.js';

const silent = { warn: () => undefined, info: () => undefined };

describe(MemoryDpopReplayCache.name, () => {
  it('accepts a proof once until it expires', async () => {
    let now = 1_000_000;
    const sut = new MemoryDpopReplayCache({ now: () => now });
    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(true);
    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(false);
    expect(await sut.firstUse('other-key', 'jti-1', now + 1_000)).toBe(true);
    now += 2_000;
    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(true);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)(RedisDpopReplayCache.name, () => {
  it('accepts a proof once across instances sharing Redis', async () => {
    const prefix = `test:dpop:${crypto.randomUUID()}:`;
    const first = new RedisDpopReplayCache(process.env.TEST_REDIS_URL!, { logger: silent, prefix });
    const second = new RedisDpopReplayCache(process.env.TEST_REDIS_URL!, { logger: silent, prefix });
    try {
      const until = Date.now() + 5_000;
      expect(await first.readyWithin(5_000)).toBe(true);
      expect(await second.readyWithin(5_000)).toBe(true);
      expect(await first.firstUse('key', 'jti-1', until)).toBe(true);
      expect(await second.firstUse('key', 'jti-1', until)).toBe(false);
      expect(await second.firstUse('key', 'jti-2', until)).toBe(true);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe(`${RedisDpopReplayCache.name} with Redis unreachable`, () => {
  it('still refuses a replay, per instance, without waiting on Redis', async () => {
    const sut = new RedisDpopReplayCache('redis://127.0.0.1:1', { logger: silent });
    try {
      const started = Date.now();
      expect(await sut.firstUse('key', 'jti-1', Date.now() + 5_000)).toBe(true);
      expect(await sut.firstUse('key', 'jti-1', Date.now() + 5_000)).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await sut.close();
    }
  });
});
