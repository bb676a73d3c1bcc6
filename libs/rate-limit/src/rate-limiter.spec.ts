import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { rateLimitHeaders } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../../test/support/eventually.js';
import { FaultProxy } from '../../../test/support/fault-proxy.js';
import { memoryLogger } from '../../../test/support/memory-logger.js';

const policy = { requests: 3, perSeconds: 60 };

describe(MemoryRateLimiter.name, () => {
  it('allows the capacity, refuses the next, and refills over time', async () => {
    let now = 1_000_000;
    const sut = new MemoryRateLimiter(() => now);
    const taken = [await sut.take('k', policy), await sut.take('k', policy), await sut.take('k', policy)];
    expect(taken.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const refused = await sut.take('k', policy);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 20 });
    now += 20_000;
    expect(await sut.take('k', policy)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await sut.take('other', policy)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('takes several tokens at once, all or none, and says when that many are back', async () => {
    let now = 1_000_000;
    const sut = new MemoryRateLimiter(() => now);
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 8)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 5)).toMatchObject({
      allowed: false,
      remaining: 2,
      retryAfterSeconds: 18,
    });
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 2)).toMatchObject({ allowed: true, remaining: 0 });
    now += 30_000;
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 5)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('formats the IETF RateLimit fields', () => {
    expect(rateLimitHeaders(policy, { allowed: false, remaining: 0, resetSeconds: 60, retryAfterSeconds: 20 })).toEqual(
      {
        'RateLimit-Policy': '"credential";q=3;w=60',
        RateLimit: '"credential";r=0;t=60',
        'Retry-After': '20',
      },
    );
  });
});

describe.runIf(process.env.TEST_REDIS_URL)(RedisRateLimiter.name, () => {
  const logger = memoryLogger('rate-limit').logger;
  let proxy: FaultProxy;
  let a: RedisRateLimiter;
  let b: RedisRateLimiter;
  beforeAll(async () => {
    proxy = await FaultProxy.start(process.env.TEST_REDIS_URL!);
    a = new RedisRateLimiter(process.env.TEST_REDIS_URL!, { logger });
    b = new RedisRateLimiter(proxy.urlFor(process.env.TEST_REDIS_URL!), { logger });
    await eventually(() => expect([a.shared, b.shared]).toEqual([true, true]));
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await proxy.close();
  });

  it('shares one bucket between two limiters (two instances)', async () => {
    const key = randomUUID();
    const decisions = [
      await a.take(key, policy),
      await b.take(key, policy),
      await a.take(key, policy),
      await b.take(key, policy),
    ];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3].retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('while Redis is silent, takes from its own bucket after one timeout; shares again once Redis answers', async () => {
    await proxy.silence();
    const key = randomUUID();
    // The first take waits for the command timeout; every later one goes to the fallback at once.
    expect((await b.take(key, policy)).allowed).toBe(true);
    expect(b.shared).toBe(false);
    const local = [await b.take(key, policy), await b.take(key, policy), await b.take(key, policy)];
    expect(local.map((d) => d.allowed)).toEqual([true, true, false]);
    expect((await a.take(key, policy)).allowed).toBe(true);

    await proxy.forward();
    await eventually(() => expect(b.shared).toBe(true), 10_000);
    const again = randomUUID();
    const decisions = [
      await a.take(again, policy),
      await b.take(again, policy),
      await a.take(again, policy),
      await b.take(again, policy),
    ];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
  });
});
