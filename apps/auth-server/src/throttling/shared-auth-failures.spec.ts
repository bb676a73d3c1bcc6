import { ManualClock } from '@tollgate/platform';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AuthServerConfig } from '../config/auth-server.config.js';
import { eventually } from '../../../../test/support/eventually.js';
import type { AuthAttempt, ThrottleRefusal } from './auth-failure-throttle.js';
import { type FailureThrottle, type Reservation, SharedAuthFailures } from './shared-auth-failures.js';

const limits = { perPair: 3, perId: 5, perAddress: 10, windowMs: 60_000 };

async function instance(
  redisUrl: string | undefined,
  clock = new ManualClock(Date.now()),
): Promise<SharedAuthFailures> {
  const sut = new SharedAuthFailures({ redisUrl } as AuthServerConfig, clock);
  await sut.onModuleInit();
  return sut;
}

const attemptFrom = (address: string, id = `${randomUUID()}@example.com`): AuthAttempt => ({ id, address });

function reserved(result: Reservation | ThrottleRefusal): Reservation {
  if (result.blocked) throw new Error(`refused (retry in ${result.retryAfterSeconds} s)`);
  return result;
}

/** `count` reservations at once, spread over the throttles; the ones allowed. */
async function reserveTogether(
  throttles: FailureThrottle[],
  attempt: AuthAttempt,
  count: number,
): Promise<Reservation[]> {
  const results = await Promise.all(
    Array.from({ length: count }, (_, index) => throttles[index % throttles.length].reserve(attempt)),
  );
  return results.filter((result): result is Reservation => !result.blocked);
}

describe(SharedAuthFailures.name, () => {
  describe('without Redis', () => {
    let clock: ManualClock;
    let throttle: FailureThrottle;
    beforeEach(async () => {
      clock = new ManualClock(Date.now());
      throttle = (await instance(undefined, clock)).throttle('sign-in', limits);
    });

    it('counts an attempt before it is verified: no more verifications than the pair limit are in flight', async () => {
      const attempt = attemptFrom('192.0.2.1');
      const first = await reserveTogether([throttle], attempt, 10);
      expect(first).toHaveLength(3);
      // Refused only because those are still being verified: retry in a second.
      expect(await throttle.reserve(attempt)).toEqual({ blocked: true, busy: true, retryAfterSeconds: 1 });
      await first[0].succeeded();
      await first[1].abandoned();
      await first[2].failed();
      // Two no longer count; the failure does, for the rest of its window.
      const second = await reserveTogether([throttle], attempt, 10);
      expect(second).toHaveLength(2);
      for (const reservation of second) await reservation.failed();
      clock.advance(45_000);
      expect(await throttle.reserve(attempt)).toEqual({ blocked: true, busy: false, retryAfterSeconds: 15 });
      clock.advance(15_000);
      expect((await throttle.reserve(attempt)).blocked).toBe(false);
    });

    it('records failures after a cheap check, and is blocked once one takes a key past its limit', async () => {
      const attempt = attemptFrom('192.0.2.2');
      for (let failure = 0; failure < 3; failure += 1)
        expect(await throttle.recordFailure(attempt)).toEqual({ blocked: false, retryAfterSeconds: 0 });
      clock.advance(10_000);
      expect(await throttle.recordFailure(attempt)).toEqual({ blocked: true, retryAfterSeconds: 50 });
      expect((await throttle.recordFailure(attemptFrom('192.0.2.2', 'someone-else'))).blocked).toBe(false);
    });

    it('limits an id from every address, except from an address where it succeeded before; and every address', async () => {
      const id = `${randomUUID()}@example.com`;
      await reserved(await throttle.reserve(attemptFrom('198.51.100.1', id))).succeeded();
      await reserved(await throttle.reserve(attemptFrom('198.51.100.2', id))).abandoned();
      for (const address of ['203.0.113.1', '203.0.113.2']) {
        for (const reservation of await reserveTogether([throttle], attemptFrom(address, id), 3))
          await reservation.failed();
      }
      // Five failures from two addresses: the id is at its ceiling everywhere but where it is known.
      expect((await throttle.reserve(attemptFrom('198.51.100.2', id))).blocked).toBe(true);
      expect((await throttle.reserve(attemptFrom('198.51.100.1', id))).blocked).toBe(false);
      // An address is limited whatever the id, known pairs included.
      for (let index = 0; index < 10; index += 1) await throttle.recordFailure(attemptFrom('198.51.100.1'));
      expect(await throttle.reserve(attemptFrom('198.51.100.1', id))).toEqual({
        blocked: true,
        busy: false,
        retryAfterSeconds: 60,
      });
    });
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
    // Redis keeps counts for a minute: every case uses addresses of its own.
    const address = () => `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`;

    it('counts concurrent attempts at every instance together: no more than the limit are reserved in all', async () => {
      const throttles = [a.throttle('reserve', limits), b.throttle('reserve', limits)];
      const attempt = attemptFrom(address());
      const allowed = await reserveTogether(throttles, attempt, 20);
      expect(allowed).toHaveLength(3);
      await allowed[0].succeeded();
      expect(await reserveTogether(throttles, attempt, 20)).toHaveLength(1);
    });

    it('counts failures at every instance together, and blocks the key at all of them', async () => {
      const [atA, atB] = [a.throttle('shared', limits), b.throttle('shared', limits)];
      const attempt = attemptFrom(address());
      const failures = await Promise.all(
        [atA, atB, atA, atB, atA, atB].map((throttle) => throttle.recordFailure(attempt)),
      );
      expect(failures.filter(({ blocked }) => blocked)).toHaveLength(3);
      for (const throttle of [atA, atB]) {
        const refused = await throttle.reserve(attempt);
        expect(refused.blocked).toBe(true);
        expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(55);
      }
    });

    it('knows a pair that succeeded at one instance at the other, past the id’s ceiling', async () => {
      const [atA, atB] = [a.throttle('known', limits), b.throttle('known', limits)];
      const id = `${randomUUID()}@example.com`;
      const home = address();
      await reserved(await atA.reserve(attemptFrom(home, id))).succeeded();
      for (let index = 0; index < 5; index += 1) await atB.recordFailure(attemptFrom(address(), id));
      expect((await atB.reserve(attemptFrom(address(), id))).blocked).toBe(true);
      expect((await atB.reserve(attemptFrom(home, id))).blocked).toBe(false);
    });

    it('keeps throttles of different names apart', async () => {
      const [signIn, clients] = [a.throttle('sign-in', limits), b.throttle('client-authentication', limits)];
      expect(() => a.throttle('sign-in', limits)).toThrow('A throttle named sign-in already exists');
      const attempt = attemptFrom(address());
      for (let failure = 0; failure < 3; failure += 1) await signIn.recordFailure(attempt);
      expect((await signIn.reserve(attempt)).blocked).toBe(true);
      expect((await clients.reserve(attempt)).blocked).toBe(false);
    });

    it('applies blocks announced on the channel, and ignores malformed announcements', async () => {
      const throttle = b.throttle('announced', limits);
      const [marked, other] = [attemptFrom(address()), attemptFrom(address())];
      const publisher = new Redis(redisUrl);
      try {
        const key = `address:${other.address}`;
        for (const message of [
          'not json',
          'null',
          '[]',
          JSON.stringify({ throttle: 'announced', key }),
          JSON.stringify({ throttle: 'announced', key, retryAfterMs: 'soon' }),
        ]) {
          await publisher.publish('tollgate:auth-failures:blocked', message);
        }
        await publisher.publish(
          'tollgate:auth-failures:blocked',
          JSON.stringify({ throttle: 'announced', key: `address:${marked.address}`, retryAfterMs: 30_000 }),
        );
        // Announced: refused at once, without Redis having counted anything for that address.
        await eventually(async () =>
          expect(await throttle.recordFailure(attemptFrom(marked.address))).toEqual({
            blocked: true,
            retryAfterSeconds: 30,
          }),
        );
        expect((await throttle.recordFailure(other)).blocked).toBe(false);
      } finally {
        await publisher.quit();
      }
    });

    it('falls back to per-instance limits when Redis cannot be reached', async () => {
      const alone = await instance(redisUrl);
      const throttle = alone.throttle('fallback', limits);
      await alone.onModuleDestroy();
      const attempt = attemptFrom(address());
      expect(await reserveTogether([throttle], attempt, 10)).toHaveLength(3);
      for (let failure = 0; failure < 3; failure += 1)
        await throttle.recordFailure(attemptFrom(attempt.address, 'another'));
      expect((await throttle.recordFailure(attemptFrom(attempt.address, 'another'))).blocked).toBe(true);
    });
  });
});
