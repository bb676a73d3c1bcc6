import { Inject, Injectable } from '@nestjs/common';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { PermissionsService } from '../roles/permissions.service.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import type { SignInPolicyDto } from './dto/sign-in-policy.dto.js';
import { PasskeysService } from './passkeys.service.js';
import { TotpService } from './totp.service.js';

const POLICY_KEY = 'sign-in-policy';

export interface SignInPolicy {
  requireSecondFactorForAdmins: boolean;
}

/**
 * How people must sign in to the console, set by admins at runtime (like the PAT policy): with
 * `requireSecondFactorForAdmins`, a person holding the admin scope who has neither a passkey nor an
 * authenticator app gets a session that can do nothing but set one up.
 */
@Injectable()
export class SignInPolicyService {
  constructor(
    private readonly settings: SettingsRepository,
    private readonly passkeys: PasskeysService,
    private readonly totp: TotpService,
    private readonly permissions: PermissionsService,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(): Promise<SignInPolicy> {
    const stored = ((await this.settings.get(POLICY_KEY)) ?? {}) as Partial<SignInPolicy>;
    return { requireSecondFactorForAdmins: stored.requireSecondFactorForAdmins ?? false };
  }

  async update(input: SignInPolicyDto, actor: AuditActor): Promise<SignInPolicy> {
    const before = await this.get();
    const after: SignInPolicy = { requireSecondFactorForAdmins: input.requireSecondFactorForAdmins };
    // As GitHub does for an organisation: whoever requires a second factor has one, or they would lock themselves out.
    if (
      after.requireSecondFactorForAdmins &&
      actor.type === 'user' &&
      actor.id &&
      !(await this.hasSecondFactor(actor.id))
    )
      throw new ProblemException(
        409,
        'Set up a passkey or an authenticator app for yourself first: the policy would take your admin access away',
        { code: 'second_factor_missing' },
      );
    await this.settings.set(POLICY_KEY, after, this.clock.now());
    await this.audit.record({
      action: 'sign-in.policy.updated',
      outcome: 'success',
      actor,
      details: { before, after },
    });
    return after;
  }

  /** A passkey or a confirmed authenticator app (recovery codes only stand in for them). */
  async hasSecondFactor(userId: string): Promise<boolean> {
    const [passkeys, totp] = await Promise.all([this.passkeys.count(userId), this.totp.isEnabled(userId)]);
    return passkeys > 0 || totp;
  }

  /** Whether the policy asks this user for a second factor (they hold the admin scope): `holdsAdmin` when known. */
  async requiresSecondFactor(userId: string, holdsAdmin?: boolean): Promise<boolean> {
    if (!(await this.get()).requireSecondFactorForAdmins) return false;
    if (holdsAdmin !== undefined) return holdsAdmin;
    const permissions = await this.permissions.forUser(userId);
    return permissions.at(this.config.managementApiIndicator).has(MANAGEMENT_SCOPES.admin);
  }

  /** The policy asks this user for a second factor and they have none: their session may only set one up. */
  async setupRequired(userId: string, holdsAdmin?: boolean): Promise<boolean> {
    return (await this.requiresSecondFactor(userId, holdsAdmin)) && !(await this.hasSecondFactor(userId));
  }
}
