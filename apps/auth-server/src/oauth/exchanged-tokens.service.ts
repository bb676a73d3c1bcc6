import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import type { ExchangedTokenEntity } from './exchanged-token.entity.js';
import { ExchangedTokensRepository } from './exchanged-tokens.repository.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Which live JWTs were exchanged for which PAT. Resource servers verify those JWTs locally, so when
 * the PAT is revoked each of them is revoked by `jti` (stored, and pushed on the revocation feed).
 */
@Injectable()
export class ExchangedTokensService {
  private lastPrune = 0;

  constructor(
    private readonly exchanged: ExchangedTokensRepository,
    private readonly revoked: RevokedTokensRepository,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(token: ExchangedTokenEntity): Promise<void> {
    await this.exchanged.insert(token);
    const now = this.clock.now();
    if (now.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now.getTime();
      await this.exchanged.deleteExpired(now);
    }
  }

  /** Revokes every unexpired JWT exchanged for the credential; returns how many. */
  async revokeAllFrom(subjectCredentialId: string): Promise<number> {
    const now = this.clock.now();
    const live = await this.exchanged.liveFrom(subjectCredentialId, now);
    for (const token of live) {
      await this.revoked.revoke({
        jti: token.jti,
        clientId: token.clientId,
        expiresAt: token.expiresAt,
        revokedAt: now,
      });
      await this.feed.publish({
        type: 'token.revoked',
        jti: token.jti,
        exp: Math.floor(token.expiresAt.getTime() / 1000),
      });
    }
    return live.length;
  }
}
