import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { ExchangedTokenEntity } from './exchanged-token.entity.js';

/** JWTs exchanged for a PAT (RFC 8693), kept until they expire. */
@Injectable()
export class ExchangedTokensRepository {
  constructor(@InjectRepository(ExchangedTokenEntity) private readonly tokens: Repository<ExchangedTokenEntity>) {}

  async insert(token: ExchangedTokenEntity): Promise<void> {
    await this.tokens.insert(token);
  }

  /** The unexpired JWTs exchanged for this credential. */
  liveFrom(subjectCredentialId: string, now: Date): Promise<ExchangedTokenEntity[]> {
    return this.tokens.findBy({ subjectCredentialId, expiresAt: MoreThan(now) });
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.tokens.delete({ expiresAt: LessThan(now) });
  }
}
