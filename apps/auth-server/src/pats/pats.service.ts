import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { generateCredential, hashCredential, parseCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { ExchangedTokensService } from '../oauth/exchanged-tokens.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { PermissionsService } from '../roles/permissions.service.js';
import type { UserEntity } from '../users/users.repository.js';
import type { CreatedPatDto } from './dto/created-pat.response.js';
import type { CreatePatDto } from './dto/create-pat.dto.js';
import type { PatDto, PatStatus } from './dto/pat.response.js';
import type { PatEntity } from './pat.entity.js';
import { PatsRepository } from './pats.repository.js';
import { type PatPolicy, PatPolicyService } from './pat-policy.service.js';

const DAY_MS = 86_400_000;
/** Live (not revoked) tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 100;

export function patStatus(pat: PatEntity, now: Date): PatStatus {
  if (pat.revokedAt) return 'revoked';
  if (pat.expiresAt && pat.expiresAt <= now) return 'expired';
  return 'active';
}

export function describePat(pat: PatEntity, now: Date): PatDto {
  return {
    id: pat.id,
    userId: pat.userId,
    name: pat.name,
    scopes: pat.scopes,
    resources: pat.resources,
    displayPrefix: pat.displayPrefix,
    status: patStatus(pat, now),
    createdAt: pat.createdAt.toISOString(),
    createdBy: { type: pat.createdByType, id: pat.createdById },
    expiresAt: pat.expiresAt?.toISOString() ?? null,
    lastUsedAt: pat.lastUsedAt?.toISOString() ?? null,
    lastUsedAddress: pat.lastUsedAddress,
    revokedAt: pat.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Creating, listing and revoking personal access tokens. A token's scopes are bounded by what its
 * owner holds when it is created (checked here) and again at every use (PatVerifier).
 */
@Injectable()
export class PatsService {
  constructor(
    private readonly pats: PatsRepository,
    private readonly resources: ResourcesService,
    private readonly permissions: PermissionsService,
    private readonly policy: PatPolicyService,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    private readonly exchangedTokens: ExchangedTokensService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(
    owner: UserEntity,
    input: CreatePatDto,
    actor: AuditActor,
    options: { issuedVia?: PatEntity['issuedVia'] } = {},
  ): Promise<CreatedPatDto> {
    if (owner.disabled) throw new ConflictException('The user is disabled: enable them before creating tokens');
    const now = this.clock.now();
    const expiresAt = this.expiryOf(input, await this.policy.get(), now);
    const resources = await this.checkResources(input.resource ?? []);
    const scopes = [...new Set(input.scopes)];
    const held = (await this.permissions.forUser(owner.id)).anywhere(resources);
    const missing = scopes.filter((scope) => !held.has(scope));
    if (missing.length > 0) {
      const who = actor.type === 'user' && actor.id === owner.id ? 'You do not' : `${owner.email} does not`;
      const where = resources.length > 0 ? ' on the resources the token is restricted to' : '';
      throw new BadRequestException(
        `${who} hold the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${where}: a token cannot carry more than its owner holds`,
      );
    }
    if (await this.pats.existsWithActiveName(owner.id, input.name))
      throw new ConflictException(
        `A token named "${input.name}" already exists: choose another name or revoke that token`,
      );
    if ((await this.pats.countLiveOfUser(owner.id)) >= MAX_TOKENS_PER_USER) {
      throw new ConflictException(
        `A user may hold at most ${MAX_TOKENS_PER_USER} tokens that are not revoked: revoke unused ones first`,
      );
    }

    const token = generateCredential('pat');
    const pat: PatEntity = {
      id: randomUUID(),
      userId: owner.id,
      name: input.name,
      activeName: input.name,
      tokenHash: hashCredential(token),
      displayPrefix: parseCredential(token)!.displayPrefix,
      scopes,
      resources,
      expiresAt,
      createdAt: now,
      createdByType: actor.type,
      createdById: actor.id ?? null,
      lastUsedAt: null,
      lastUsedAddress: null,
      revokedAt: null,
      revocationReason: null,
      issuedVia: options.issuedVia ?? null,
      expiryWarnedAt: null,
    };
    try {
      await this.pats.insert(pat);
    } catch (error) {
      // Two requests racing for the same name: the unique index (userId, activeName) decides.
      if (await this.pats.existsWithActiveName(owner.id, input.name))
        throw new ConflictException(`A token named "${input.name}" already exists`);
      throw error;
    }
    await this.audit.record({
      action: 'pat.created',
      outcome: 'success',
      actor,
      credential: { type: 'pat', id: pat.id },
      details: {
        userId: owner.id,
        name: pat.name,
        displayPrefix: pat.displayPrefix,
        scopes,
        resources,
        expiresAt: expiresAt?.toISOString() ?? null,
        ...(pat.issuedVia && { issuedVia: pat.issuedVia }),
      },
    });
    return { ...describePat(pat, now), token };
  }

  async list(userId: string, expiringWithinDays?: number): Promise<PatDto[]> {
    const now = this.clock.now();
    const pats = await this.pats.listOfUser(
      userId,
      expiringWithinDays === undefined
        ? undefined
        : { from: now, to: new Date(now.getTime() + expiringWithinDays * DAY_MS) },
    );
    return pats.map((pat) => describePat(pat, now));
  }

  async get(userId: string, id: string): Promise<PatDto> {
    return describePat(await this.find(userId, id), this.clock.now());
  }

  /** Revokes one token of the user; revoking a revoked token changes nothing. */
  async revoke(userId: string, id: string, actor: AuditActor, reason: string): Promise<void> {
    const pat = await this.find(userId, id);
    if (pat.revokedAt) return;
    await this.markRevoked(pat, actor, reason, null);
  }

  /** Revokes every live token of the user (incident response); returns how many. */
  async revokeAll(userId: string, actor: AuditActor, reason: string): Promise<number> {
    const live = await this.pats.listLiveOfUser(userId);
    for (const pat of live) await this.markRevoked(pat, actor, reason, null);
    return live.length;
  }

  /** Sets revokedAt if it is still unset (a conditional update: concurrent revocations audit once). */
  async markRevoked(pat: PatEntity, actor: AuditActor, reason: string, address: string | null): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.pats.revokeIfLive(pat.id, now, reason.slice(0, 255)))) return false;
    await this.feed.publish({ type: 'credential.revoked', credentialType: 'pat', credentialId: pat.id });
    await this.exchangedTokens.revokeAllFrom(pat.id);
    await this.audit.record({
      action: 'pat.revoked',
      outcome: 'success',
      actor,
      credential: { type: 'pat', id: pat.id },
      address,
      reason,
      details: { userId: pat.userId, name: pat.name, displayPrefix: pat.displayPrefix },
    });
    return true;
  }

  private async find(userId: string, id: string): Promise<PatEntity> {
    const pat = await this.pats.findOfUser(userId, id);
    if (!pat) throw new NotFoundException(`Token ${id} not found`);
    return pat;
  }

  private expiryOf(input: CreatePatDto, policy: PatPolicy, now: Date): Date | null {
    const latest = new Date(now.getTime() + policy.maxLifetimeDays * DAY_MS);
    if (input.expiresAt !== undefined && input.expiresInDays !== undefined)
      throw new BadRequestException('Give expiresAt or expiresInDays, not both');
    if (input.expiresInDays !== undefined) {
      if (input.expiresInDays > policy.maxLifetimeDays)
        throw new BadRequestException(`expiresInDays is beyond the maximum lifetime of ${policy.maxLifetimeDays} days`);
      return new Date(now.getTime() + input.expiresInDays * DAY_MS);
    }
    if (input.expiresAt !== undefined) {
      const expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) throw new BadRequestException('expiresAt must be an ISO 8601 date-time');
      if (expiresAt <= now) throw new BadRequestException('expiresAt must be in the future');
      if (expiresAt > latest)
        throw new BadRequestException(
          `expiresAt is beyond the maximum lifetime of ${policy.maxLifetimeDays} days (latest: ${latest.toISOString()})`,
        );
      return expiresAt;
    }
    if (!policy.allowNoExpiry)
      throw new BadRequestException(
        `expiresAt or expiresInDays is required: tokens without an expiry are not allowed (maximum lifetime: ${policy.maxLifetimeDays} days)`,
      );
    return null;
  }

  private async checkResources(indicators: string[]): Promise<string[]> {
    const unique = [...new Set(indicators)];
    if (unique.length === 0) return [];
    const known = await this.resources.findByIndicators(unique);
    const unknown = unique.filter((indicator) => !known.some((resource) => resource.indicator === indicator));
    if (unknown.length > 0) throw new BadRequestException(`Unknown resource ${unknown.join(', ')}`);
    return unique;
  }
}
