import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { PendingSignInEntity } from './pending-sign-in.entity.js';

export type { PendingSignInEntity, PendingSignInPurpose } from './pending-sign-in.entity.js';

@Injectable()
export class PendingSignInsRepository {
  constructor(@InjectRepository(PendingSignInEntity) private readonly pending: Repository<PendingSignInEntity>) {}

  /** Stores a new sign-in under way, ending the one this browser had (if any). */
  async start(pending: PendingSignInEntity, replacedId: string | undefined): Promise<void> {
    await this.pending.manager.transaction(async (manager) => {
      if (replacedId) await manager.delete(PendingSignInEntity, { id: replacedId });
      await manager.insert(PendingSignInEntity, pending);
    });
  }

  findCurrent(id: string, now: Date): Promise<PendingSignInEntity | null> {
    return this.pending.findOneBy({ id, expiresAt: MoreThan(now) });
  }

  /** Counts a wrong second factor; the new count. */
  async countFailure(id: string): Promise<number> {
    await this.pending.increment({ id }, 'failures', 1);
    return (await this.pending.findOneBy({ id }))?.failures ?? Number.POSITIVE_INFINITY;
  }

  /** Ends it; false if it was gone already (another request finished it first). */
  async end(id: string): Promise<boolean> {
    return ((await this.pending.delete({ id })).affected ?? 0) > 0;
  }

  async purge(now: Date): Promise<number> {
    return (await this.pending.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
