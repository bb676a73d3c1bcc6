import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import type { Repository } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import type { PatPolicyDto } from './dto/pat.dto.js';
import { SettingEntity } from './setting.entity.js';

const POLICY_KEY = 'pat-policy';

export interface PatPolicy {
  maxLifetimeDays: number;
  allowNoExpiry: boolean;
}

/**
 * The lifetime policy for new PATs (like GitHub's fine-grained token policy): stored in the database
 * so admins change it at runtime and every instance sees it; PAT_MAX_LIFETIME_DAYS is the default.
 */
@Injectable()
export class PatPolicyService {
  constructor(
    @InjectRepository(SettingEntity) private readonly settings: Repository<SettingEntity>,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(): Promise<PatPolicy> {
    const row = await this.settings.findOneBy({ key: POLICY_KEY });
    const stored = (row?.value ?? {}) as Partial<PatPolicy>;
    return { maxLifetimeDays: stored.maxLifetimeDays ?? this.config.pats.maxLifetimeDays, allowNoExpiry: stored.allowNoExpiry ?? false };
  }

  async update(input: PatPolicyDto, actor: AuditActor): Promise<PatPolicy> {
    const before = await this.get();
    const after: PatPolicy = { maxLifetimeDays: input.maxLifetimeDays, allowNoExpiry: input.allowNoExpiry };
    await this.settings.upsert({ key: POLICY_KEY, value: after, updatedAt: this.clock.now() }, ['key']);
    await this.audit.record({ action: 'pat.policy.updated', outcome: 'success', actor, details: { before, after } });
    return after;
  }
}
