import { ManualClock } from '@tollgate/platform';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AuthServerConfig } from '../config/auth-server.config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { SharedAuthFailures } from './shared-auth-failures.js';

const limits = { perKey: { email: 3 }, windowMs: 60_000 };

async function instance(redisUrl: string | undefined, clock = new ManualClock(Date.now())): Promise<SharedAuthFailures> {
  const sut = new SharedAuthFailures({ redisUrl } as AuthServerConfig, clock);
  await sut.onModuleInit();
  return sut;
}

describe(SharedAuthFailures.name, () => {
  it('without Redis, blocks a key after its limit on this instance until the window ends', async () => {
    const clock = new ManualClock(Date.now());
    const sut = await instance(undefined, clock);
    const throttle = sut.throttle('sign-in', limits);
    const key = [`email:${randomUUID()}`];
    for (let failure = 0; failure < 3; failure += 1) {
      expect(throttle.check(key).blocked).toBe(false);
      await throttle.recordFailure(key);
    }
    expect(throttle.check(key)).toEqual({ blocked: true, retryAfterSeconds: 60 });
    expect(throttle.check([`email:${randomUUID()}`]).blocked).toBe(false);
    clock.advance(60_000);
    expect(throttle.check(key).blocked).toBe(false);
  });

  describe.runIf(process.env.TEST_REDIS_URL)('with Redis', () => {
    const redisUrl = process.env.TEST_REDIS_URL!;
    let a: SharedAuthFailures;
    let b: SharedAuthFailures;
    beforeAll(async () => {
      [a, b] = await Promise.all([instance(redisUrl), instance(redisUrl)]);
    });
    afterAll(async () => {
      await Promise.all([a.onModuleDestroy(), b.onModuleDestroy()]);
    });

    it('counts failures at every instance together, and blocks the key at all of them', async () => {
      const [atA, atB] = [a.throttle('shared', limits), b.throttle('shared', limits)];
      const key = [`email:${randomUUID()}`];
      await atA.recordFailure(key);
      await atB.recordFailure(key);
      expect([atA.check(key).blocked, atB.check(key).blocked]).toEqual([false, false]);
      await atA.recordFailure(key);
      await eventually(() => expect([atA.check(key).blocked, atB.check(key).blocked]).toEqual([true, true]));
      expect(atB.check(key).retryAfterSeconds).toBeGreaterThan(55);
    });

    it('keeps throttles of different names apart', async () => {
      const [signIn, clients] = [a.throttle('sign-in', limits), b.throttle('client-authentication', limits)];
      expect(() => a.throttle('sign-in', limits)).toThrow('A throttle named sign-in already exists');
      const key = [`email:${randomUUID()}`];
      for (let failure = 0; failure < 3; failure += 1) await signIn.recordFailure(key);
      await eventually(() => expect(signIn.check(key).blocked).toBe(true));
      expect(clients.check(key).blocked).toBe(false);
    });

    it('ignores malformed announcements on the channel', async () => {
      const throttle = b.throttle('announced', limits);
      const key = `email:${randomUUID()}`;
      const publisher = new Redis(redisUrl);
      try {
        for (const message of ['not json', 'null', '[]', JSON.stringify({ throttle: 'announced', key }), JSON.stringify({ throttle: 'announced', key, retryAfterMs: 'soon' })]) {
          await publisher.publish('tollgate:auth-failures:blocked', message);
        }
        await publisher.publish('tollgate:auth-failures:blocked', JSON.stringify({ throttle: 'announced', key: 'email:marker', retryAfterMs: 1_000 }));
        await eventually(() => expect(throttle.check(['email:marker']).blocked).toBe(true));
        expect(throttle.check([key]).blocked).toBe(false);
      } finally {
        await publisher.quit();
      }
    });
  });
});
