import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import type { AccessTokenClaims } from '@tollgate/verifier';
import { AuditService } from '../audit/audit.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { AccessTokenStatusService } from './access-token-status.service.js';
import type { AuthenticatedClient } from './client-authentication.service.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';

/**
 * RFC 7009: a client revokes an access token issued to it. Answers the same (200) for unknown,
 * expired and foreign tokens so the endpoint reveals nothing (§2.2); only real revocations are
 * stored and audited.
 */
@Injectable()
export class TokenRevocationService {
  constructor(
    private readonly accessTokens: AccessTokenStatusService,
    private readonly revoked: RevokedTokensRepository,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Revokes an unexpired access token we issued, whoever reports it (leak reports); returns its jti. */
  async revokeLeaked(token: string, address: string): Promise<string | null> {
    const claims = await this.accessTokens.decodeOwnToken(token);
    if (!claims) return null;
    const stored = await this.store(claims);
    if (stored)
      await this.audit.record({
        action: 'token.revoked',
        outcome: 'success',
        actor: { type: 'system' },
        credential: { type: 'access_token', id: claims.jti! },
        address,
        reason: 'leaked',
        details: { clientId: claims.client_id },
      });
    return stored ? claims.jti! : null;
  }

  async revoke(token: string, caller: AuthenticatedClient, address: string): Promise<void> {
    const claims = await this.accessTokens.decodeOwnToken(token, { allowExpired: true });
    if (!claims) return;
    const actor = { type: 'client' as const, id: caller.client.id };
    if (claims.client_id !== caller.client.id) {
      await this.audit.record({
        action: 'token.revoke.denied',
        outcome: 'denied',
        actor,
        credential: { type: 'access_token', id: claims.jti! },
        address,
        reason: 'token belongs to another client',
      });
      return;
    }
    if (!(await this.store(claims))) return;
    await this.audit.record({
      action: 'token.revoked',
      outcome: 'success',
      actor,
      credential: { type: 'access_token', id: claims.jti! },
      address,
      details: { aud: claims.aud, exp: new Date(claims.exp! * 1000).toISOString() },
    });
  }

  /** Records the jti as revoked until the token would expire; false if it has expired or was revoked already. */
  private async store(claims: AccessTokenClaims): Promise<boolean> {
    const now = this.clock.now();
    const expiresAt = new Date(claims.exp! * 1000);
    if (expiresAt <= now) return false;
    // Already revoked: keep the first revocation time, and do not audit or publish it twice.
    if (await this.revoked.isRevoked(claims.jti!)) return false;
    await this.revoked.revoke({ jti: claims.jti!, clientId: claims.client_id, expiresAt, revokedAt: now });
    await this.feed.publish({ type: 'token.revoked', jti: claims.jti!, exp: claims.exp! });
    return true;
  }
}
