import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { RecoveryCodeEntity } from './recovery-code.entity.js';

export type { RecoveryCodeEntity } from './recovery-code.entity.js';

@Injectable()
export class RecoveryCodesRepository {
  constructor(@InjectRepository(RecoveryCodeEntity) private readonly codes: Repository<RecoveryCodeEntity>) {}

  listOf(userId: string): Promise<RecoveryCodeEntity[]> {
    return this.codes.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The user's codes become these (the old ones stop working), in one transaction. */
  async replace(userId: string, codes: RecoveryCodeEntity[]): Promise<number> {
    return this.codes.manager.transaction(async (manager) => {
      const removed = await manager.delete(RecoveryCodeEntity, { userId });
      await manager.insert(RecoveryCodeEntity, codes);
      return removed.affected ?? 0;
    });
  }

  /** Marks the unused code with this hash used; false if there is none (wrong, or used already, even a moment ago). */
  async use(userId: string, codeHash: string, at: Date): Promise<boolean> {
    const result = await this.codes.update({ userId, codeHash, usedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) > 0;
  }

  async countUnused(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  async deleteOf(userId: string): Promise<void> {
    await this.codes.delete({ userId });
  }
}
