import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { ApiConsumersService } from '../api-keys/api-consumers.service.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { ApiKeyDto } from '../api-keys/dto/api-key.response.js';
import type { ApiKeyUsageDto } from '../api-keys/dto/api-key-usage.response.js';
import type { CreateApiKeyDto } from '../api-keys/dto/create-api-key.dto.js';
import type { CreatedApiKeyDto } from '../api-keys/dto/created-api-key.response.js';
import type { RollApiKeyDto } from '../api-keys/dto/roll-api-key.dto.js';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { UsersService } from '../users/users.service.js';
import type { ConsumerMemberDto } from './dto/consumer-member.response.js';
import type { MyConsumerDto } from './dto/my-consumer.response.js';
import type { PortalLimitsDto } from './dto/portal-limits.dto.js';
import { beyondLimits } from './portal-limits.js';
import { type PortalLimits, PortalRepository } from './portal.repository.js';

/**
 * The developer portal: a provider opens an API consumer to people it invites (limits, members),
 * and those people manage that consumer's keys within the limits, each action audited under their
 * own user id. Everything else about keys (hashing, rolling, revocation) is ApiKeysService's.
 */
@Injectable()
export class PortalService {
  constructor(
    private readonly portals: PortalRepository,
    private readonly consumers: ApiConsumersService,
    private readonly keys: ApiKeysService,
    private readonly resources: ResourcesService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  // ---- the provider (admin) ----------------------------------------------------------------------

  /** The consumer's limits; null while its portal is closed. */
  async limits(consumerId: string): Promise<PortalLimits | null> {
    await this.consumers.get(consumerId);
    return (await this.portals.findPortal(consumerId))?.limits ?? null;
  }

  async setLimits(consumerId: string, input: PortalLimitsDto, actor: AuditActor): Promise<PortalLimits> {
    await this.consumers.get(consumerId);
    const grants = await this.resources.resolveGrants(input.grants);
    const limits: PortalLimits = {
      grants: grants.map((grant) => ({ resource: grant.resource.indicator, scopes: grant.scopes })),
      environments: [...new Set(input.environments)],
      maxActiveKeys: input.maxActiveKeys,
      rateLimitCeiling: input.rateLimitCeiling
        ? { requests: input.rateLimitCeiling.requests, perSeconds: input.rateLimitCeiling.perSeconds }
        : null,
    };
    await this.portals.savePortal({ consumerId, limits, updatedAt: this.clock.now() });
    await this.audit.record({
      action: 'api-consumer.portal.updated',
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id: consumerId },
      details: { limits },
    });
    return limits;
  }

  /** Closes the portal: members keep their membership but can no longer create keys until it reopens. */
  async close(consumerId: string, actor: AuditActor): Promise<void> {
    await this.consumers.get(consumerId);
    await this.portals.deletePortal(consumerId);
    await this.audit.record({
      action: 'api-consumer.portal.closed',
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id: consumerId },
    });
  }

  async members(consumerId: string): Promise<ConsumerMemberDto[]> {
    await this.consumers.get(consumerId);
    const members = await this.portals.membersOf(consumerId);
    const users = await Promise.all(members.map((member) => this.users.findById(member.userId)));
    return members.map((member, index) => ({
      userId: member.userId,
      email: users[index]?.email ?? '',
      displayName: users[index]?.displayName ?? '',
      invitedAt: member.createdAt.toISOString(),
    }));
  }

  /** Invites a person who has a console account (people sign in; service accounts never do). */
  async invite(consumerId: string, email: string, actor: AuditActor): Promise<ConsumerMemberDto> {
    const consumer = await this.consumers.get(consumerId);
    const user = await this.users.findByEmail(email);
    if (!user)
      throw new NotFoundException(
        `No user has the email ${email}: create the person on the Users page (or POST /api/users) first`,
      );
    if (user.kind !== 'person')
      throw new BadRequestException('Only people can be invited: a service account never signs in to the portal');
    const now = this.clock.now();
    const added = await this.portals.addMember({
      consumerId,
      userId: user.id,
      invitedBy: actor.id ?? null,
      createdAt: now,
    });
    if (!added) throw new ConflictException(`${user.email} is already a member of ${consumer.name}`);
    await this.audit.record({
      action: 'api-consumer.member.invited',
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id: consumerId },
      details: { userId: user.id },
    });
    return { userId: user.id, email: user.email, displayName: user.displayName, invitedAt: now.toISOString() };
  }

  /** Removes a member; the keys they created stay (they are the consumer's, not theirs). */
  async removeMember(consumerId: string, userId: string, actor: AuditActor): Promise<void> {
    await this.consumers.get(consumerId);
    if (!(await this.portals.removeMember(consumerId, userId)))
      throw new NotFoundException(`User ${userId} is not a member of this consumer`);
    await this.audit.record({
      action: 'api-consumer.member.removed',
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id: consumerId },
      details: { userId },
    });
  }

  // ---- the consumer's developer -------------------------------------------------------------------

  /** The consumers this person may manage, with their limits (closed portals and disabled consumers left out). */
  async myConsumers(userId: string): Promise<MyConsumerDto[]> {
    const memberships = await this.portals.membershipsOf(userId);
    const open = await Promise.all(
      memberships.map(async ({ consumerId }) => {
        const [consumer, portal] = await Promise.all([
          this.consumers.get(consumerId),
          this.portals.findPortal(consumerId),
        ]);
        return portal && !consumer.disabled ? { id: consumer.id, name: consumer.name, limits: portal.limits } : null;
      }),
    );
    return open.filter((consumer) => consumer !== null);
  }

  async myKeys(userId: string, consumerId: string): Promise<ApiKeyDto[]> {
    await this.requireOpen(userId, consumerId);
    return this.keys.list(consumerId);
  }

  async createKey(
    userId: string,
    consumerId: string,
    input: CreateApiKeyDto,
    actor: AuditActor,
  ): Promise<CreatedApiKeyDto> {
    const limits = await this.requireOpen(userId, consumerId);
    const rateLimit = input.rateLimit ?? limits.rateLimitCeiling;
    const request = { environment: input.environment ?? limits.environments[0], grants: input.grants, rateLimit };
    const active = (await this.keys.list(consumerId)).filter((key) => key.status === 'active').length;
    const problems = beyondLimits(limits, request, active);
    if (problems.length > 0) {
      await this.audit.record({
        action: 'api-key.create.denied',
        outcome: 'denied',
        actor,
        credential: { type: 'api_consumer', id: consumerId },
        reason: 'beyond_portal_limits',
        details: { problems },
      });
      throw new ProblemException(403, `Beyond the limits the provider set: ${problems.join('; ')}`, {
        code: 'beyond_portal_limits',
        extensions: { problems },
      });
    }
    return this.keys.create(consumerId, { ...input, ...request, rateLimit: rateLimit ?? undefined }, actor);
  }

  async rollKey(
    userId: string,
    consumerId: string,
    keyId: string,
    input: RollApiKeyDto,
    actor: AuditActor,
  ): Promise<CreatedApiKeyDto> {
    await this.requireKey(userId, consumerId, keyId);
    return this.keys.roll(keyId, input, actor);
  }

  async revokeKey(userId: string, consumerId: string, keyId: string, actor: AuditActor): Promise<void> {
    await this.requireKey(userId, consumerId, keyId);
    await this.keys.revoke(keyId, actor, 'revoked in the developer portal');
  }

  async keyUsage(userId: string, consumerId: string, keyId: string, days: number): Promise<ApiKeyUsageDto> {
    await this.requireKey(userId, consumerId, keyId);
    return this.keys.usage(keyId, days);
  }

  /** The limits of a consumer this person may manage now; 404 otherwise (never saying which consumers exist). */
  private async requireOpen(userId: string, consumerId: string): Promise<PortalLimits> {
    const [member, portal] = await Promise.all([
      this.portals.isMember(consumerId, userId),
      this.portals.findPortal(consumerId),
    ]);
    const consumer = member && portal ? await this.consumers.get(consumerId).catch(() => null) : null;
    if (!portal || !consumer || consumer.disabled)
      throw new NotFoundException('No such API consumer in your developer portal');
    return portal.limits;
  }

  private async requireKey(userId: string, consumerId: string, keyId: string): Promise<void> {
    await this.requireOpen(userId, consumerId);
    const key = await this.keys.get(keyId).catch(() => null);
    if (!key || key.consumerId !== consumerId) throw new NotFoundException('No such key for this API consumer');
  }
}
