import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { hashCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { AuditService } from '../audit/audit.service.js';
import { type CredentialUse, type LastUsedSink, LastUsedSinkRegistry } from '../oauth/credential-usage.js';
import {
  type ActiveOpaqueCredential,
  type OpaqueCredentialKindVerifier,
  OpaqueCredentialVerifiers,
} from '../oauth/opaque-credential-verifiers.js';
import { ResourcesService } from '../resources/resources.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysRepository } from './api-keys.repository.js';

/**
 * Verifies API keys wherever they are presented (introspection by resource servers, the management
 * API); also revokes leaked ones and records their last use.
 */
@Injectable()
export class ApiKeyVerifier implements OpaqueCredentialKindVerifier, LastUsedSink, OnModuleInit {
  readonly kind = 'api_key' as const;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly resources: ResourcesService,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    private readonly credentials: OpaqueCredentialVerifiers,
    private readonly lastUsed: LastUsedSinkRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.credentials.register(this);
    this.lastUsed.register(this);
  }

  async introspect(
    token: string,
    resource: string | undefined,
    address: string | null,
  ): Promise<ActiveOpaqueCredential | null> {
    const key = await this.keys.findByHashWithConsumer(hashCredential(token));
    if (!key) return null;
    const refusal = this.refusal(key);
    if (refusal) {
      this.audit.recordInBackground({
        action: 'api-key.use.denied',
        outcome: 'denied',
        actor: { type: 'anonymous' },
        credential: { type: 'api_key', id: key.id },
        address,
        reason: refusal,
        details: { consumerId: key.consumerId, resource },
      });
      return null;
    }
    return {
      credentialType: 'api_key',
      credentialId: key.id,
      subject: key.consumerId,
      consumerId: key.consumerId,
      username: key.consumer!.name,
      scopes: resource ? await this.scopesAt(key, resource) : [...new Set(key.grants.flatMap((g) => g.scopes))],
      audience: key.grants.map((g) => g.resource),
      issuedAt: key.createdAt,
      expiresAt: key.expiresAt,
      ipAllowlist: key.ipAllowlist ?? undefined,
      rateLimit: key.rateLimit ? { ...key.rateLimit, bucket: key.rateLimitBucket } : undefined,
    };
  }

  async revokeByValue(token: string, reason: string, address: string | null): Promise<string | null> {
    const key = await this.keys.findByHash(hashCredential(token));
    if (!key || key.revokedAt) return null;
    if (!(await this.keys.revokeIfActive(key.id, this.clock.now(), reason.slice(0, 64)))) return null;
    await this.feed.publish({ type: 'credential.revoked', credentialType: 'api_key', credentialId: key.id });
    await this.audit.record({
      action: 'api-key.revoked',
      outcome: 'success',
      actor: { type: 'system' },
      credential: { type: 'api_key', id: key.id },
      address,
      reason,
      details: { consumerId: key.consumerId },
    });
    return key.id;
  }

  async recordLastUsed(latest: CredentialUse[]): Promise<void> {
    for (const use of latest) await this.keys.recordLastUsed(use.credentialId, use.at, use.address);
  }

  private refusal(key: ApiKeyEntity): string | null {
    if (key.revokedAt) return 'revoked';
    if (key.expiresAt && key.expiresAt <= this.clock.now())
      return key.rolledToId ? 'rolled (overlap ended)' : 'expired';
    if (key.consumer?.disabled) return 'consumer disabled';
    return null;
  }

  /** The key's scopes on `resource` that the resource still defines. */
  private async scopesAt(key: ApiKeyEntity, resource: string): Promise<string[]> {
    const grant = key.grants.find((g) => g.resource === resource);
    if (!grant) return [];
    const current = await this.resources.findByIndicator(resource);
    return current ? grant.scopes.filter((scope) => current.scopes.includes(scope)) : [];
  }
}
