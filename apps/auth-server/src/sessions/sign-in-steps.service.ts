import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { AuditService } from '../audit/audit.service.js';
import { PasskeysService } from '../factors/passkeys.service.js';
import { RecoveryCodesService } from '../factors/recovery-codes.service.js';
import type { SecondFactorMethod } from '../factors/sign-in-factors.service.js';
import { TotpService } from '../factors/totp.service.js';
import { type FailureThrottle, SharedAuthFailures } from '../throttling/shared-auth-failures.js';
import type { UserEntity } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { type PendingSignInEntity, PendingSignInsRepository } from './pending-sign-ins.repository.js';
import { newSessionSecret, sessionIdOf } from './session-cookie.js';
import { type LoginContext, PENDING_SIGN_IN_TTL_MS, SessionsService, type StartedSession } from './sessions.service.js';

/** Wrong second factors one pending sign-in takes before the password is asked again. */
export const SECOND_FACTOR_ATTEMPTS = 5;

export interface SecondFactorProof {
  code?: string;
  recoveryCode?: string;
  passkey?: AuthenticationResponseJSON;
}

/** A passkey sign-in waiting for the browser's answer: its cookie and the options for navigator.credentials.get(). */
export interface PasskeyChallenge {
  secret: string;
  expiresAt: Date;
  options: PublicKeyCredentialRequestOptionsJSON;
}

/**
 * The sign-in steps after (or instead of) the password: a passkey alone (discoverable, user
 * verified: it is two factors in one), or the second factor a password sign-in left pending. A
 * pending sign-in is bound to its browser by its own cookie, lasts five minutes, takes five wrong
 * answers, and grants nothing until it becomes a session. Wrong answers are audited
 * (`session.second-factor.failed`) and throttled per person and address like passwords.
 */
@Injectable()
export class SignInStepsService {
  private readonly throttle: FailureThrottle;

  constructor(
    private readonly sessions: SessionsService,
    private readonly pending: PendingSignInsRepository,
    private readonly users: UsersService,
    private readonly passkeys: PasskeysService,
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    failures: SharedAuthFailures,
  ) {
    // A 6-digit code is guessed one in 333,333 tries (three steps accepted): 10 wrong answers per
    // person every 15 minutes keeps a day's guessing under 0.3 %, on top of knowing the password.
    this.throttle = failures.throttle('second-factor', {
      perPair: 5,
      perId: 10,
      perAddress: 20,
      windowMs: 15 * 60_000,
    });
  }

  /** A passkey sign-in starts: any passkey of this site may answer, from this browser only. */
  async passkeyChallenge(context: LoginContext): Promise<PasskeyChallenge> {
    const now = this.clock.now();
    const secret = newSessionSecret();
    const expiresAt = new Date(now.getTime() + PENDING_SIGN_IN_TTL_MS);
    const id = sessionIdOf(secret);
    await this.pending.start(
      {
        id,
        purpose: 'passkey',
        userId: null,
        failures: 0,
        createdAt: now,
        expiresAt,
        address: context.address.slice(0, 64),
      },
      context.previousPendingSecret ? sessionIdOf(context.previousPendingSecret) : undefined,
    );
    return { secret, expiresAt, options: await this.passkeys.authenticationOptions(id, null, 'required') };
  }

  async signInWithPasskey(
    pendingSecret: string | undefined,
    response: AuthenticationResponseJSON,
    context: LoginContext,
  ): Promise<StartedSession> {
    const pending = await this.current(pendingSecret, 'passkey');
    const check = await this.passkeys.verifyAssertion(response, { boundTo: pending.id, requireUserVerification: true });
    const user = check.ok ? await this.users.findById(check.passkey.userId) : null;
    const failure = !check.ok
      ? check.reason
      : !user || user.kind !== 'person'
        ? 'not a person'
        : user.disabled
          ? 'user disabled'
          : null;
    if (failure || !user || !check.ok) {
      await this.pending.end(pending.id);
      await this.audit.record({
        action: 'session.login',
        outcome: 'failure',
        actor: { type: 'anonymous' },
        ...(check.ok && { credential: { type: 'user', id: check.passkey.userId } }),
        address: context.address,
        reason: failure ?? 'passkey refused',
        details: { methods: ['passkey'] },
      });
      throw new ProblemException(401, 'This passkey does not sign anyone in here: try again, or use your password', {
        code: 'passkey_refused',
      });
    }
    if (!(await this.pending.end(pending.id))) throw signInExpired();
    return this.sessions.start(user, context, ['passkey']);
  }

  /** Options for the pending sign-in's passkey: one of the person's. */
  async secondFactorChallenge(pendingSecret: string | undefined): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const pending = await this.current(pendingSecret, 'second_factor');
    return this.passkeys.authenticationOptions(pending.id, pending.userId!, 'preferred');
  }

  /** The second step: a code from the app, a recovery code, or a passkey, for the person whose password was right. */
  async completeSecondFactor(
    pendingSecret: string | undefined,
    proof: SecondFactorProof,
    context: LoginContext,
  ): Promise<StartedSession> {
    const method = methodOf(proof);
    const pending = await this.current(pendingSecret, 'second_factor');
    const user = await this.users.findById(pending.userId!);
    if (!user || user.disabled) {
      await this.pending.end(pending.id);
      throw signInExpired();
    }
    const reservation = await this.throttle.reserve({ id: user.id, address: context.address });
    if (reservation.blocked) {
      await this.recordFailure(user, method, context, 'throttled');
      throw new ProblemException(429, `Too many wrong answers; retry in ${reservation.retryAfterSeconds} s`, {
        code: 'too_many_attempts',
        headers: { 'Retry-After': String(reservation.retryAfterSeconds) },
      });
    }
    let failure: string | null;
    try {
      failure = await this.check(user, pending, method, proof);
    } catch (error) {
      await reservation.abandoned();
      throw error;
    }
    if (failure) {
      await reservation.failed();
      const failures = await this.pending.countFailure(pending.id);
      const left = Math.max(0, SECOND_FACTOR_ATTEMPTS - failures);
      if (left === 0) await this.pending.end(pending.id);
      await this.recordFailure(user, method, context, failure, left);
      throw new ProblemException(
        401,
        left > 0
          ? `${WRONG[method]}: ${left} ${left === 1 ? 'try' : 'tries'} left`
          : `${WRONG[method]}, too many times: sign in with your password again`,
        { code: left > 0 ? 'second_factor_invalid' : 'sign_in_expired', extensions: { attempts_left: left } },
      );
    }
    await reservation.succeeded();
    if (!(await this.pending.end(pending.id))) throw signInExpired();
    if (method === 'recovery_code') {
      await this.audit.record({
        action: 'user.recovery-code.used',
        outcome: 'success',
        actor: { type: 'user', id: user.id },
        credential: { type: 'user', id: user.id },
        address: context.address,
        details: { remaining: await this.recoveryCodes.remaining(user.id) },
      });
    }
    return this.sessions.start(user, context, ['password', method]);
  }

  /** Why the proof fails, or null when it holds (and is used up). */
  private async check(
    user: UserEntity,
    pending: PendingSignInEntity,
    method: SecondFactorMethod,
    proof: SecondFactorProof,
  ): Promise<string | null> {
    if (method === 'totp') {
      const result = await this.totp.check(user.id, proof.code!);
      return result === 'accepted' ? null : result === 'replayed' ? 'code used already' : result.replace('_', ' ');
    }
    if (method === 'recovery_code')
      return (await this.recoveryCodes.redeem(user.id, proof.recoveryCode!)) ? null : 'wrong or used recovery code';
    const check = await this.passkeys.verifyAssertion(proof.passkey!, {
      boundTo: pending.id,
      userId: user.id,
      requireUserVerification: false,
    });
    return check.ok ? null : check.reason;
  }

  private async recordFailure(
    user: UserEntity,
    method: SecondFactorMethod,
    context: LoginContext,
    reason: string,
    attemptsLeft?: number,
  ): Promise<void> {
    await this.audit.record({
      action: 'session.second-factor.failed',
      outcome: reason === 'throttled' ? 'denied' : 'failure',
      actor: { type: 'anonymous' },
      credential: { type: 'user', id: user.id },
      address: context.address,
      reason,
      details: { email: user.email, method, ...(attemptsLeft !== undefined && { attemptsLeft }) },
    });
  }

  private async current(
    secret: string | undefined,
    purpose: PendingSignInEntity['purpose'],
  ): Promise<PendingSignInEntity> {
    const pending = secret ? await this.pending.findCurrent(sessionIdOf(secret), this.clock.now()) : null;
    if (!pending || pending.purpose !== purpose) throw signInExpired();
    return pending;
  }
}

const WRONG: Record<SecondFactorMethod, string> = {
  totp: 'The code is not right (or was used already)',
  recovery_code: 'The recovery code is not right (or was used already)',
  passkey: 'The passkey could not confirm it is you',
};

function methodOf(proof: SecondFactorProof): SecondFactorMethod {
  const given = [
    proof.code !== undefined && ('totp' as const),
    proof.recoveryCode !== undefined && ('recovery_code' as const),
    proof.passkey !== undefined && ('passkey' as const),
  ].filter((method) => method !== false);
  if (given.length !== 1) throw new ProblemException(400, 'Send exactly one of code, recoveryCode or passkey');
  return given[0];
}

function signInExpired(): ProblemException {
  return new ProblemException(
    401,
    'No sign-in is under way in this browser (it expired after 5 minutes, or too many wrong answers ended it): sign in again',
    { code: 'sign_in_expired' },
  );
}
