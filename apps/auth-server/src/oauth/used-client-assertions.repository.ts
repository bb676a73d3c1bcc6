import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { UsedClientAssertionEntity } from './used-client-assertion.entity.js';

/** Client assertions already used (RFC 7523 §3: a `jti` is accepted once), until they expire. */
@Injectable()
export class UsedClientAssertionsRepository {
  constructor(
    @InjectRepository(UsedClientAssertionEntity) private readonly used: Repository<UsedClientAssertionEntity>,
  ) {}

  async deleteExpired(now: Date): Promise<void> {
    await this.used.delete({ expiresAt: LessThan(now) });
  }

  /** Fails (unique violation) when the id was used already. */
  async insert(id: string, expiresAt: Date): Promise<void> {
    await this.used.insert({ id, expiresAt });
  }
}
