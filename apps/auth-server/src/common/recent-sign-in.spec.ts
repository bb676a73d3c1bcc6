import type { ExecutionContext } from '@nestjs/common';
import { ManualClock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { RECENT_SIGN_IN_SECONDS, RecentSignInGuard } from './recent-sign-in.js';

function contextOf(user: Partial<Principal> | undefined): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => ({ user }) }) } as unknown as ExecutionContext;
}

describe(RecentSignInGuard.name, () => {
  const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
  const sut = new RecentSignInGuard(clock);

  it('lets through a session that authenticated within 10 minutes', () => {
    const authenticatedAt = new Date(clock.now().getTime() - RECENT_SIGN_IN_SECONDS * 1000);
    expect(sut.canActivate(contextOf({ authenticatedAt }))).toBe(true);
  });

  it.each([
    ['an older sign-in', { authenticatedAt: new Date(clock.now().getTime() - RECENT_SIGN_IN_SECONDS * 1000 - 1) }],
    ['a credential that never authenticated a person (a token)', {}],
    ['no caller', undefined],
  ])('refuses %s with 403 reauthentication_required', (_name, user) => {
    const refusal = (() => {
      try {
        sut.canActivate(contextOf(user));
      } catch (error) {
        return error;
      }
    })() as ProblemException;
    expect(refusal).toBeInstanceOf(ProblemException);
    expect(refusal.getStatus()).toBe(403);
    expect(refusal.getResponse()).toMatchObject({
      type: 'urn:tollgate:problem:reauthentication_required',
      max_age: 600,
    });
  });
});
