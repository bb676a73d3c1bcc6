import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Not, Or, type Repository } from 'typeorm';
import { TotpAuthenticatorEntity } from './totp-authenticator.entity.js';

export type { TotpAuthenticatorEntity } from './totp-authenticator.entity.js';

@Injectable()
export class TotpAuthenticatorsRepository {
  constructor(
    @InjectRepository(TotpAuthenticatorEntity) private readonly authenticators: Repository<TotpAuthenticatorEntity>,
  ) {}

  findOf(userId: string): Promise<TotpAuthenticatorEntity | null> {
    return this.authenticators.findOneBy({ userId });
  }

  isConfirmed(userId: string): Promise<boolean> {
    return this.authenticators.existsBy({ userId, confirmedAt: Not(IsNull()) });
  }

  /** Starts (or starts again) the set-up of an authenticator that is not confirmed yet. */
  async savePending(authenticator: TotpAuthenticatorEntity): Promise<void> {
    await this.authenticators.manager.transaction(async (manager) => {
      await manager.delete(TotpAuthenticatorEntity, { userId: authenticator.userId, confirmedAt: IsNull() });
      await manager.insert(TotpAuthenticatorEntity, authenticator);
    });
  }

  /**
   * Accepts a code of time step `step` once: records it only if no code of this step or a later one
   * was accepted before (one UPDATE, so a replay racing the first use loses). `confirmAt`: also marks
   * the authenticator confirmed.
   */
  async acceptStep(userId: string, step: number, confirmAt?: Date): Promise<boolean> {
    const result = await this.authenticators.update(
      { userId, confirmedAt: confirmAt ? IsNull() : Not(IsNull()), lastUsedStep: Or(IsNull(), LessThan(step)) },
      { lastUsedStep: step, ...(confirmAt && { confirmedAt: confirmAt }) },
    );
    return (result.affected ?? 0) > 0;
  }

  async delete(userId: string): Promise<boolean> {
    return ((await this.authenticators.delete({ userId })).affected ?? 0) > 0;
  }

  /** Set-ups never confirmed, started before `before`. */
  async purgeUnconfirmed(before: Date): Promise<number> {
    return (await this.authenticators.delete({ confirmedAt: IsNull(), createdAt: LessThan(before) })).affected ?? 0;
  }
}
