import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { ExchangedTokenEntity } from './exchanged-token.entity.js';
import { RevokedTokenEntity } from './revoked-token.entity.js';

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Which live JWTs were exchanged for which PAT. Resource servers verify those JWTs locally, so when
 * the PAT is revoked each of them is revoked by `jti` (stored, and pushed on the revocation feed).
 */
@Injectable()
export class ExchangedTokensService {
  private lastPrune = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(token: ExchangedTokenEntity): Promise<void> {
    const repository = this.dataSource.getRepository(ExchangedTokenEntity);
    await repository.insert(token);
    const now = this.clock.now();
    if (now.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now.getTime();
      await repository.delete({ expiresAt: LessThan(now) });
    }
  }

  /** Revokes every unexpired JWT exchanged for the credential; returns how many. */
  async revokeAllFrom(subjectCredentialId: string): Promise<number> {
    const now = this.clock.now();
    const live = await this.dataSource.getRepository(ExchangedTokenEntity).findBy({ subjectCredentialId, expiresAt: MoreThan(now) });
    for (const token of live) {
      await this.dataSource.getRepository(RevokedTokenEntity).upsert({ jti: token.jti, clientId: token.clientId, expiresAt: token.expiresAt, revokedAt: now }, ['jti']);
      await this.feed.publish({ type: 'token.revoked', jti: token.jti, exp: Math.floor(token.expiresAt.getTime() / 1000) });
    }
    return live.length;
  }
}
