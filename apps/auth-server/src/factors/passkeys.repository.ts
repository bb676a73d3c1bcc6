import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { PasskeyEntity } from './passkey.entity.js';

export type { PasskeyEntity } from './passkey.entity.js';

@Injectable()
export class PasskeysRepository {
  constructor(@InjectRepository(PasskeyEntity) private readonly passkeys: Repository<PasskeyEntity>) {}

  /** Oldest first. */
  listOf(userId: string): Promise<PasskeyEntity[]> {
    return this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  countOf(userId: string): Promise<number> {
    return this.passkeys.countBy({ userId });
  }

  findOf(userId: string, id: string): Promise<PasskeyEntity | null> {
    return this.passkeys.findOneBy({ userId, id });
  }

  findByCredentialId(credentialId: string): Promise<PasskeyEntity | null> {
    return this.passkeys.findOneBy({ credentialId });
  }

  existsWithCredentialId(credentialId: string): Promise<boolean> {
    return this.passkeys.existsBy({ credentialId });
  }

  async insert(passkey: PasskeyEntity): Promise<void> {
    await this.passkeys.insert(passkey);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.passkeys.update({ id }, { name });
  }

  /** After an assertion: the counter it reported, whether it is backed up, when. */
  async recordUse(id: string, use: { signCount: number; backedUp: boolean; at: Date }): Promise<void> {
    await this.passkeys.update({ id }, { signCount: use.signCount, backedUp: use.backedUp, lastUsedAt: use.at });
  }

  /** Every passkey of the user; how many there were. */
  async deleteAllOf(userId: string): Promise<number> {
    return (await this.passkeys.delete({ userId })).affected ?? 0;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return ((await this.passkeys.delete({ userId, id })).affected ?? 0) > 0;
  }
}
