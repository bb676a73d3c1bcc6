import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { RevokedTokenEntity } from './revoked-token.entity.js';

/** JWT access tokens revoked before they expire, by `jti`. */
@Injectable()
export class RevokedTokensRepository {
  constructor(@InjectRepository(RevokedTokenEntity) private readonly revoked: Repository<RevokedTokenEntity>) {}

  isRevoked(jti: string): Promise<boolean> {
    return this.revoked.existsBy({ jti });
  }

  /** Stores the revocation (again: a second one for the same jti replaces the first). */
  async revoke(token: RevokedTokenEntity): Promise<void> {
    await this.revoked.upsert(token, ['jti']);
  }
}
