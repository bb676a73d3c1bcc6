import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import type { PatPolicyDto } from './dto/update-pat-policy.dto.js';
import { SettingsRepository } from '../settings/settings.repository.js';

const POLICY_KEY = 'pat-policy';

export interface PatPolicy {
  maxLifetimeDays: number;
  allowNoExpiry: boolean;
  /** Owners are warned (audit event, webhook) this many days before a token expires. */
  expiryWarningDays: number;
}

/**
 * The lifetime policy for new PATs (like GitHub's fine-grained token policy): stored in the database
 * so admins change it at runtime and every instance sees it; PAT_MAX_LIFETIME_DAYS and
 * PAT_EXPIRY_WARNING_DAYS are the defaults.
 */
@Injectable()
export class PatPolicyService {
  constructor(
    private readonly settings: SettingsRepository,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(): Promise<PatPolicy> {
    const stored = ((await this.settings.get(POLICY_KEY)) ?? {}) as Partial<PatPolicy>;
    return {
      maxLifetimeDays: stored.maxLifetimeDays ?? this.config.pats.maxLifetimeDays,
      allowNoExpiry: stored.allowNoExpiry ?? false,
      expiryWarningDays: stored.expiryWarningDays ?? this.config.pats.expiryWarningDays,
    };
  }

  async update(input: PatPolicyDto, actor: AuditActor): Promise<PatPolicy> {
    const before = await this.get();
    const after: PatPolicy = {
      maxLifetimeDays: input.maxLifetimeDays,
      allowNoExpiry: input.allowNoExpiry,
      // A client that does not send it (written before it existed) keeps the current one.
      expiryWarningDays: input.expiryWarningDays ?? before.expiryWarningDays,
    };
    await this.settings.set(POLICY_KEY, after, this.clock.now());
    await this.audit.record({ action: 'pat.policy.updated', outcome: 'success', actor, details: { before, after } });
    return after;
  }
}
