import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { hashCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { AuditService } from '../audit/audit.service.js';
import {
  type ActiveOpaqueCredential,
  OpaqueCredentialVerifiers,
  type OpaqueCredentialKindVerifier,
} from '../oauth/opaque-credential-verifiers.js';
import { PermissionsService } from '../roles/permissions.service.js';
import type { PatEntity } from './pat.entity.js';
import { PatsRepository } from './pats.repository.js';
import { PatsService } from './pats.service.js';

/** Why a PAT can no longer be used at all, or null. */
function unusableReason(pat: PatEntity, now: Date): string | null {
  if (pat.revokedAt) return 'revoked';
  if (pat.expiresAt && pat.expiresAt <= now) return 'expired';
  if (pat.user!.disabled) return 'user disabled';
  return null;
}

/**
 * Verifies PATs wherever they are presented (introspection by resource servers, the management
 * API, token exchange). What a PAT grants is computed at each use: its scopes ∩ what its owner's
 * roles give now, at the resource asked about.
 */
@Injectable()
export class PatVerifier implements OpaqueCredentialKindVerifier, OnModuleInit {
  readonly kind = 'pat' as const;

  constructor(
    private readonly pats: PatsRepository,
    private readonly registry: OpaqueCredentialVerifiers,
    private readonly permissions: PermissionsService,
    private readonly patsService: PatsService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async introspect(
    token: string,
    resource: string | undefined,
    address: string | null,
  ): Promise<ActiveOpaqueCredential | null> {
    const pat = await this.pats.findByHashWithUser(hashCredential(token));
    if (!pat) return null;
    let denied = unusableReason(pat, this.clock.now());
    if (!denied && resource !== undefined && pat.resources.length > 0 && !pat.resources.includes(resource))
      denied = 'restricted to other resources';
    if (denied) {
      await this.audit.record({
        action: 'pat.use.denied',
        outcome: 'denied',
        actor: { type: 'user', id: pat.userId },
        credential: { type: 'pat', id: pat.id },
        address,
        reason: denied,
        details: { ...(resource !== undefined && { resource }), displayPrefix: pat.displayPrefix },
      });
      return null;
    }
    return {
      credentialType: 'pat',
      credentialId: pat.id,
      subject: pat.userId,
      userId: pat.userId,
      username: pat.user!.email,
      scopes: await this.effectiveScopes(pat, resource),
      audience: pat.resources,
      issuedAt: pat.createdAt,
      expiresAt: pat.expiresAt,
      exchangedTokensValidAfter: pat.user!.exchangedTokensValidAfter,
      issuedVia: pat.issuedVia,
    };
  }

  async revokeByValue(token: string, reason: string, address: string | null): Promise<string | null> {
    const pat = await this.pats.findByHash(hashCredential(token));
    if (!pat || pat.revokedAt) return null;
    return (await this.patsService.markRevoked(pat, { type: 'system' }, reason, address)) ? pat.id : null;
  }

  async exchangedTokenRefusal(
    credentialId: string,
    resource: string,
    scopes: readonly string[],
  ): Promise<string | null> {
    const pat = await this.pats.findWithUser(credentialId);
    if (!pat) return 'pat deleted';
    const reason = unusableReason(pat, this.clock.now());
    if (reason) return `pat ${reason}`;
    if (pat.resources.length > 0 && !pat.resources.includes(resource)) return 'pat restricted to other resources';
    const effective = await this.effectiveScopes(pat, resource);
    return scopes.every((scope) => effective.includes(scope)) ? null : 'pat scopes narrowed';
  }

  /** The PAT's scopes that its owner's roles give now, at `resource` (or at any resource it may be used at). */
  private async effectiveScopes(pat: PatEntity, resource: string | undefined): Promise<string[]> {
    const permissions = await this.permissions.forUser(pat.userId);
    const held = resource !== undefined ? permissions.at(resource) : permissions.anywhere(pat.resources);
    return pat.scopes.filter((scope) => held.has(scope));
  }
}
