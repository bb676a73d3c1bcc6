import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { generateCredential, hashCredential, parseCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { ApiConsumersService } from './api-consumers.service.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import { type ApiKeyUsageCount, ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKeyDto } from './dto/api-key.response.js';
import type { ApiKeyUsageDto } from './dto/api-key-usage.response.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import type { CreatedApiKeyDto } from './dto/created-api-key.response.js';
import type { RollApiKeyDto } from './dto/roll-api-key.dto.js';

const DAY_MS = 86_400_000;

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Issues, lists, rolls and revokes API keys; the key itself is shown once and stored as a hash. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly consumers: ApiConsumersService,
    private readonly resources: ResourcesService,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(consumerId: string, input: CreateApiKeyDto, actor: AuditActor): Promise<CreatedApiKeyDto> {
    await this.consumers.get(consumerId);
    const grants = await this.resources.resolveGrants(input.grants);
    const now = this.clock.now();
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt <= now) throw new BadRequestException('expiresAt must be in the future');
    const { key, row } = this.newKey({
      consumerId,
      name: input.name,
      environment: input.environment ?? 'live',
      grants: grants.map((g) => ({ resource: g.resource.indicator, scopes: g.scopes })),
      ipAllowlist: input.ipAllowlist?.length ? input.ipAllowlist : null,
      rateLimit: input.rateLimit
        ? { requests: input.rateLimit.requests, perSeconds: input.rateLimit.perSeconds }
        : null,
      expiresAt,
      createdBy: actor.id ?? null,
      rolledFromId: null,
      rateLimitBucket: null,
    });
    await this.keys.insert(row);
    await this.audit.record({
      action: 'api-key.created',
      outcome: 'success',
      actor,
      credential: { type: 'api_key', id: row.id },
      details: {
        consumerId,
        environment: row.environment,
        grants: row.grants,
        ipAllowlist: row.ipAllowlist,
        rateLimit: row.rateLimit,
        expiresAt: row.expiresAt?.toISOString() ?? null,
      },
    });
    return { ...(await this.describe([row]))[0], key };
  }

  async list(consumerId: string): Promise<ApiKeyDto[]> {
    await this.consumers.get(consumerId);
    return this.describe(await this.keys.listForConsumer(consumerId));
  }

  async get(id: string): Promise<ApiKeyDto> {
    return (await this.describe([await this.find(id)]))[0];
  }

  /** Revokes at once. Revoking a revoked key is a no-op (idempotent DELETE). */
  async revoke(id: string, actor: AuditActor, reason = 'revoked by admin'): Promise<void> {
    const key = await this.find(id);
    if (key.revokedAt) return;
    await this.keys.revoke(id, this.clock.now(), reason.slice(0, 64));
    await this.feed.publish({ type: 'credential.revoked', credentialType: 'api_key', credentialId: id });
    await this.audit.record({
      action: 'api-key.revoked',
      outcome: 'success',
      actor,
      credential: { type: 'api_key', id },
      reason,
      details: { consumerId: key.consumerId },
    });
  }

  /**
   * Stripe/Unkey roll: a new key with the same settings; the old one keeps working for the overlap
   * (0 = stops at once). The two are linked both ways and in the audit log.
   */
  async roll(id: string, input: RollApiKeyDto, actor: AuditActor): Promise<CreatedApiKeyDto> {
    const old = await this.find(id);
    const now = this.clock.now();
    if (old.revokedAt) throw new ConflictException('A revoked key cannot be rolled; create a new key');
    if (old.expiresAt && old.expiresAt <= now)
      throw new ConflictException('An expired key cannot be rolled; create a new key');
    if (old.rolledToId)
      throw new ConflictException(`This key was already rolled to ${old.rolledToId}; roll that key instead`);
    const overlapEnds = new Date(now.getTime() + (input.expireCurrentInMinutes ?? 60) * 60_000);
    // The new key takes from the old key's bucket: during the overlap the two share one limit.
    const { key, row } = this.newKey({ ...old, createdBy: actor.id ?? null, rolledFromId: old.id });
    const rolled = await this.keys.roll(
      old.id,
      old.expiresAt && old.expiresAt < overlapEnds ? old.expiresAt : overlapEnds,
      row,
    );
    if (!rolled) throw new ConflictException('The key was rolled at the same time; reload and try again');
    // Verifiers may have cached the old key with its former expiry: make them ask again.
    await this.feed.publish(
      input.expireCurrentInMinutes === 0
        ? { type: 'credential.revoked', credentialType: 'api_key', credentialId: old.id }
        : { type: 'credential.changed', credentialType: 'api_key', credentialId: old.id },
    );
    await this.audit.record({
      action: 'api-key.rolled',
      outcome: 'success',
      actor,
      credential: { type: 'api_key', id: old.id },
      details: { consumerId: old.consumerId, newKeyId: row.id, oldKeyExpiresAt: overlapEnds.toISOString() },
    });
    return { ...(await this.describe([row]))[0], key };
  }

  async usage(id: string, days: number): Promise<ApiKeyUsageDto> {
    const key = await this.find(id);
    const since = utcDay(new Date(this.clock.now().getTime() - (days - 1) * DAY_MS));
    const rows = await this.keys.usageSince([id], since);
    const byDay = new Map<string, Record<string, number>>();
    const totals: Record<string, number> = {};
    for (const row of rows) {
      const counts = byDay.get(row.day) ?? {};
      counts[row.statusClass] = (counts[row.statusClass] ?? 0) + row.count;
      byDay.set(row.day, counts);
      totals[row.statusClass] = (totals[row.statusClass] ?? 0) + row.count;
    }
    return {
      keyId: id,
      days: [...byDay].map(([day, counts]) => ({
        day,
        counts,
        total: Object.values(counts).reduce((a, b) => a + b, 0),
      })),
      totals,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
      lastUsedAddress: key.lastUsedAddress,
    };
  }

  /** Adds what resource servers counted (usage reports). */
  addUsage(counts: ApiKeyUsageCount[]): Promise<void> {
    return this.keys.addUsage(counts);
  }

  private async find(id: string): Promise<ApiKeyEntity> {
    const key = await this.keys.findById(id);
    if (!key) throw new NotFoundException(`API key ${id} not found`);
    return key;
  }

  /** `rateLimitBucket`: null for a key of its own, its predecessor's for a rolled key. */
  private newKey(
    settings: Pick<
      ApiKeyEntity,
      | 'consumerId'
      | 'name'
      | 'environment'
      | 'grants'
      | 'ipAllowlist'
      | 'rateLimit'
      | 'expiresAt'
      | 'createdBy'
      | 'rolledFromId'
    > & { rateLimitBucket: string | null },
  ): { key: string; row: ApiKeyEntity } {
    const key = generateCredential('api_key', { environment: settings.environment });
    const id = randomUUID();
    return {
      key,
      row: {
        id,
        consumerId: settings.consumerId,
        name: settings.name,
        environment: settings.environment,
        keyHash: hashCredential(key),
        displayPrefix: parseCredential(key)!.displayPrefix,
        grants: settings.grants,
        ipAllowlist: settings.ipAllowlist,
        rateLimit: settings.rateLimit,
        rateLimitBucket: settings.rateLimitBucket ?? id,
        expiresAt: settings.expiresAt,
        createdAt: this.clock.now(),
        createdBy: settings.createdBy,
        revokedAt: null,
        revokedReason: null,
        rolledFromId: settings.rolledFromId,
        rolledToId: null,
        lastUsedAt: null,
        lastUsedAddress: null,
      },
    };
  }

  private async describe(keys: ApiKeyEntity[]): Promise<ApiKeyDto[]> {
    if (keys.length === 0) return [];
    const now = this.clock.now();
    const since = utcDay(new Date(now.getTime() - 29 * DAY_MS));
    const usage = await this.keys.usageSince(
      keys.map((k) => k.id),
      since,
    );
    return keys.map((key) => {
      const counts: Record<string, number> = {};
      for (const row of usage.filter((u) => u.keyId === key.id))
        counts[row.statusClass] = (counts[row.statusClass] ?? 0) + row.count;
      return {
        id: key.id,
        consumerId: key.consumerId,
        name: key.name,
        environment: key.environment,
        displayPrefix: key.displayPrefix,
        grants: key.grants,
        ipAllowlist: key.ipAllowlist,
        rateLimit: key.rateLimit,
        expiresAt: key.expiresAt?.toISOString() ?? null,
        createdAt: key.createdAt.toISOString(),
        revokedAt: key.revokedAt?.toISOString() ?? null,
        rolledFromId: key.rolledFromId,
        rolledToId: key.rolledToId,
        lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
        lastUsedAddress: key.lastUsedAddress,
        status: key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt <= now ? 'expired' : 'active',
        usage: counts,
      };
    });
  }
}
