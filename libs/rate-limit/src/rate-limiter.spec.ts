import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { rateLimitHeaders, type RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { randomUUID } from 'node:crypto';

const policy = { requests: 3, perSeconds: 60 };

describe(MemoryRateLimiter.name, () => {
  it('allows the capacity, refuses the next, and refills over time', async () => {
    let now = 1_000_000;
    const sut = new MemoryRateLimiter(() => now);
    const taken = [await sut.take('k', policy), await sut.take('k', policy), await sut.take('k', policy)];
    expect(taken.map((d) => [d.allowed, d.remaining])).toEqual([[true, 2], [true, 1], [true, 0]]);
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
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 5)).toMatchObject({ allowed: false, remaining: 2, retryAfterSeconds: 18 });
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 2)).toMatchObject({ allowed: true, remaining: 0 });
    now += 30_000;
    expect(await sut.take('batch', { requests: 10, perSeconds: 60 }, 5)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('formats the IETF RateLimit fields', () => {
    expect(rateLimitHeaders(policy, { allowed: false, remaining: 0, resetSeconds: 60, retryAfterSeconds: 20 })).toEqual({
      'RateLimit-Policy': '"credential";q=3;w=60',
      RateLimit: '"credential";r=0;t=60',
      'Retry-After': '20',
    });
  });
});

describe.runIf(process.env.TEST_REDIS_URL)(RedisRateLimiter.name, () => {
  let a: RateLimiter;
  let b: RateLimiter;
  beforeAll(() => {
    a = new RedisRateLimiter(process.env.TEST_REDIS_URL!);
    b = new RedisRateLimiter(process.env.TEST_REDIS_URL!);
  });
  afterAll(async () => {
    await a.close?.();
    await b.close?.();
  });

  it('shares one bucket between two limiters (two instances)', async () => {
    const key = randomUUID();
    const decisions = [await a.take(key, policy), await b.take(key, policy), await a.take(key, policy), await b.take(key, policy)];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3].retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});
