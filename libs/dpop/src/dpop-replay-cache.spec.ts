import { randomUUID } from 'node:crypto';
import { eventually } from '../../../test/support/eventually.js';
import { FaultProxy } from '../../../test/support/fault-proxy.js';
import { memoryLogger } from '../../../test/support/memory-logger.js';
import { MemoryDpopReplayCache, RedisDpopReplayCache } from './dpop-replay-cache.js';

describe(MemoryDpopReplayCache.name, () => {
  it('accepts a proof once until it expires, per key and jti', async () => {
    let now = 1_000_000;
    const sut = new MemoryDpopReplayCache({ now: () => now });

    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(true);
    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(false);
    expect(await sut.firstUse('other-key', 'jti-1', now + 1_000)).toBe(true);
    expect(await sut.firstUse('key', 'jti-2', now + 1_000)).toBe(true);
    now += 999;
    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(false);
    now += 2;
    expect(await sut.firstUse('key', 'jti-1', now + 1_000)).toBe(true);
  });

  it('keeps a jti of any length as a fixed-size entry, and does not mix thumbprint and jti', async () => {
    const sut = new MemoryDpopReplayCache();
    const until = Date.now() + 60_000;

    expect(await sut.firstUse('key', 'j'.repeat(100_000), until)).toBe(true);
    expect(await sut.firstUse('key', 'j'.repeat(100_000), until)).toBe(false);
    expect(await sut.firstUse('ab', 'c', until)).toBe(true);
    expect(await sut.firstUse('a', 'bc', until)).toBe(true);
  });

  it('when full, refuses proofs that expire no later than one it had to forget, so no replay slips through', async () => {
    const now = 1_000_000;
    const sut = new MemoryDpopReplayCache({ max: 3, now: () => now });
    for (const [jti, until] of [
      ['a', 10_000],
      ['b', 20_000],
      ['c', 30_000],
    ] as const)
      expect(await sut.firstUse('key', jti, now + until)).toBe(true);
    // A fourth proof pushes out the oldest (a, until +10 s) before it expired.
    expect(await sut.firstUse('key', 'd', now + 40_000)).toBe(true);
    // a again: forgotten, so it cannot be told from a replay, and is refused.
    expect(await sut.firstUse('key', 'a', now + 10_000)).toBe(false);
    // A new proof expiring as early as the forgotten one is refused too; a later one is accepted.
    expect(await sut.firstUse('key', 'e', now + 9_000)).toBe(false);
    expect(await sut.firstUse('key', 'f', now + 50_000)).toBe(true);
    // b (until +20 s) was pushed out by f: the floor rose with it, and b stays refused.
    expect(await sut.firstUse('key', 'b', now + 20_000)).toBe(false);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)(RedisDpopReplayCache.name, () => {
  const redisUrl = process.env.TEST_REDIS_URL!;
  const { logger, logs } = memoryLogger('dpop');
  const prefix = `test:dpop:${randomUUID()}:`;
  let proxy: FaultProxy;
  let direct: RedisDpopReplayCache;
  let proxied: RedisDpopReplayCache;
  beforeAll(async () => {
    proxy = await FaultProxy.start(redisUrl);
    direct = new RedisDpopReplayCache(redisUrl, { logger, prefix });
    proxied = new RedisDpopReplayCache(proxy.urlFor(redisUrl), { logger, prefix });
    expect([await direct.readyWithin(5_000), await proxied.readyWithin(5_000)]).toEqual([true, true]);
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
    await proxy.close();
  });

  it('accepts a proof once across instances sharing Redis, until it expires', async () => {
    const jti = randomUUID();
    const until = Date.now() + 300;

    expect(await direct.firstUse('key', jti, until)).toBe(true);
    expect(await proxied.firstUse('key', jti, until)).toBe(false);
    expect(await proxied.firstUse('other-key', jti, until)).toBe(true);
    await eventually(async () => expect(await direct.firstUse('key', jti, Date.now() + 60_000)).toBe(true));
    expect(await proxied.firstUse('key', jti, Date.now() + 60_000)).toBe(false);
  });

  it('while Redis is silent, refuses replays per instance after one timeout; shares again once Redis answers', async () => {
    await proxy.silence();
    const jti = randomUUID();
    const until = Date.now() + 60_000;

    // The first proof waits for the command timeout; every later one goes to the fallback at once.
    expect(await proxied.firstUse('key', jti, until)).toBe(true);
    const started = Date.now();
    expect(await proxied.firstUse('key', jti, until)).toBe(false);
    expect(Date.now() - started).toBeLessThan(200);
    expect(await direct.firstUse('key', jti, until)).toBe(true);
    expect(logs.some((line) => line.msg.includes('unreachable for the DPoP proof replay cache'))).toBe(true);

    await proxy.forward();
    await eventually(async () => expect(await proxied.readyWithin(100)).toBe(true), 10_000);
    const again = randomUUID();
    expect(await proxied.firstUse('key', again, until)).toBe(true);
    expect(await direct.firstUse('key', again, until)).toBe(false);
  });
});

describe(`${RedisDpopReplayCache.name} with Redis unreachable`, () => {
  it('still answers, refusing a replay per instance, without waiting on Redis', async () => {
    const { logger, logs } = memoryLogger('dpop');
    const sut = new RedisDpopReplayCache('redis://127.0.0.1:1', { logger, prefix: `test:dpop:${randomUUID()}:` });
    try {
      const started = Date.now();
      expect(await sut.firstUse('key', 'jti-1', Date.now() + 5_000)).toBe(true);
      expect(await sut.firstUse('key', 'jti-1', Date.now() + 5_000)).toBe(false);
      expect(await sut.firstUse('key', 'jti-2', Date.now() + 5_000)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
      await eventually(() => expect(logs.map((line) => line.msg).join('\n')).toContain('DPoP proof replay cache'));
    } finally {
      await sut.close();
    }
  });
});
