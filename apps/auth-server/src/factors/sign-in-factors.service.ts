import { Injectable } from '@nestjs/common';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { ProblemException } from '@tollgate/platform/http';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import type { UserEntity } from '../users/users.repository.js';
import { PasskeyDto } from './dto/passkey.response.js';
import { PasskeysService } from './passkeys.service.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { SignInPolicyService } from './sign-in-policy.service.js';
import { type TotpSetup, TotpService } from './totp.service.js';

/** The ways a person can complete a sign-in after their password. */
export type SecondFactorMethod = 'passkey' | 'totp' | 'recovery_code';

/** A factor just added; the recovery codes are there (this once) when it is the person's first. */
export interface AddedFactor {
  recoveryCodes?: string[];
}

/**
 * A person's sign-in factors as account settings change them: passkeys, an authenticator app, and
 * the recovery codes that stand in for either. Every change is audited. The first factor comes
 * with recovery codes (the person could otherwise lock themselves out); removing the last one
 * retires them, unless the sign-in policy requires this person to keep a second factor.
 */
@Injectable()
export class SignInFactorsService {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly policy: SignInPolicyService,
    private readonly audit: AuditService,
  ) {}

  /** What the person can use after their password; empty: the password alone signs them in. */
  async secondFactorsOf(userId: string): Promise<SecondFactorMethod[]> {
    const [passkeys, totp, codes] = await Promise.all([
      this.passkeys.count(userId),
      this.totp.isEnabled(userId),
      this.recoveryCodes.remaining(userId),
    ]);
    if (passkeys === 0 && !totp) return [];
    return [
      ...(passkeys > 0 ? (['passkey'] as const) : []),
      ...(totp ? (['totp'] as const) : []),
      ...(codes > 0 ? (['recovery_code'] as const) : []),
    ];
  }

  async addPasskey(
    user: UserEntity,
    sessionId: string,
    name: string,
    response: RegistrationResponseJSON,
    actor: AuditActor,
  ): Promise<{ passkey: PasskeyDto } & AddedFactor> {
    const passkey = await this.passkeys.register(user.id, sessionId, name, response);
    await this.record('user.passkey.added', user.id, actor, {
      passkeyId: passkey.id,
      name,
      backedUp: passkey.backedUp,
    });
    return { passkey: PasskeyDto.from(passkey), ...(await this.firstFactorCodes(user.id, actor)) };
  }

  async renamePasskey(userId: string, id: string, name: string, actor: AuditActor): Promise<PasskeyDto> {
    const before = await this.passkeys.rename(userId, id, name);
    await this.record('user.passkey.renamed', userId, actor, { passkeyId: id, name });
    return PasskeyDto.from(before);
  }

  async removePasskey(userId: string, id: string, actor: AuditActor): Promise<void> {
    if ((await this.passkeys.count(userId)) === 1 && !(await this.totp.isEnabled(userId)))
      await this.assertMayRemoveLast(userId);
    const removed = await this.passkeys.remove(userId, id);
    await this.record('user.passkey.removed', userId, actor, { passkeyId: id, name: removed.name });
    await this.retireCodesIfNoFactorLeft(userId, actor);
  }

  async startTotp(user: UserEntity): Promise<TotpSetup> {
    return this.totp.startSetup(user);
  }

  async confirmTotp(userId: string, code: string, actor: AuditActor): Promise<{ enabledAt: Date } & AddedFactor> {
    let enabledAt: Date;
    try {
      enabledAt = await this.totp.confirm(userId, code);
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 400)
        await this.record('user.totp.enabled', userId, actor, {}, 'failure', 'wrong code');
      throw error;
    }
    await this.record('user.totp.enabled', userId, actor);
    return { enabledAt, ...(await this.firstFactorCodes(userId, actor)) };
  }

  async disableTotp(userId: string, actor: AuditActor): Promise<void> {
    if (!(await this.totp.isEnabled(userId)))
      throw new ProblemException(409, 'No authenticator app is set up', { code: 'totp_not_enabled' });
    if ((await this.passkeys.count(userId)) === 0) await this.assertMayRemoveLast(userId);
    await this.totp.disable(userId);
    await this.record('user.totp.disabled', userId, actor);
    await this.retireCodesIfNoFactorLeft(userId, actor);
  }

  async regenerateRecoveryCodes(userId: string, actor: AuditActor): Promise<{ codes: string[]; generatedAt: Date }> {
    if (!(await this.policy.hasSecondFactor(userId)))
      throw new ProblemException(
        409,
        'Recovery codes stand in for a passkey or an authenticator app: set one of those up first',
        { code: 'second_factor_missing' },
      );
    const generated = await this.recoveryCodes.generate(userId);
    await this.record('user.recovery-codes.regenerated', userId, actor, { replaced: generated.replaced });
    return generated;
  }

  /**
   * An admin removes every factor of a person who lost them (and their recovery codes): the password
   * alone signs them in again, and they set up new factors. Not for oneself (account settings do that,
   * with a recent sign-in).
   */
  async resetAll(userId: string, actor: AuditActor): Promise<void> {
    if (actor.type === 'user' && actor.id === userId)
      throw new ProblemException(409, 'Remove your own passkeys and authenticator app from your account settings', {
        code: 'own_factors',
      });
    const [passkeys, totp, codes] = await Promise.all([
      this.passkeys.removeAll(userId),
      this.totp.disable(userId),
      this.recoveryCodes.status(userId),
    ]);
    await this.recoveryCodes.deleteOf(userId);
    await this.record('user.sign-in-factors.reset', userId, actor, {
      passkeys,
      totp,
      recoveryCodes: codes.total,
    });
  }

  /** The person's first factor: recovery codes too, unless they still have unused ones. */
  private async firstFactorCodes(userId: string, actor: AuditActor): Promise<AddedFactor> {
    if ((await this.recoveryCodes.remaining(userId)) > 0) return {};
    const generated = await this.recoveryCodes.generate(userId);
    await this.record('user.recovery-codes.generated', userId, actor, { replaced: generated.replaced });
    return { recoveryCodes: generated.codes };
  }

  private async assertMayRemoveLast(userId: string): Promise<void> {
    if (await this.policy.requiresSecondFactor(userId))
      throw new ProblemException(
        409,
        'The sign-in policy requires administrators to keep a second factor: add another passkey or an authenticator app before removing this one',
        { code: 'second_factor_required_by_policy' },
      );
  }

  private async retireCodesIfNoFactorLeft(userId: string, actor: AuditActor): Promise<void> {
    if (await this.policy.hasSecondFactor(userId)) return;
    if ((await this.recoveryCodes.status(userId)).total === 0) return;
    await this.recoveryCodes.deleteOf(userId);
    await this.record('user.recovery-codes.deleted', userId, actor, { reason: 'no second factor left' });
  }

  private record(
    action: string,
    userId: string,
    actor: AuditActor,
    details: Record<string, unknown> = {},
    outcome: 'success' | 'failure' = 'success',
    reason?: string,
  ): Promise<void> {
    return this.audit.record({
      action,
      outcome,
      actor,
      credential: { type: 'user', id: userId },
      ...(reason && { reason }),
      ...(Object.keys(details).length > 0 && { details }),
    });
  }
}
