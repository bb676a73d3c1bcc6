import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { And, IsNull, LessThan, LessThanOrEqual, MoreThan, Or, type Repository } from 'typeorm';
import { like, type StateCounts } from '../common/directory.js';
import { countByState } from '../common/state-counts.repository.js';
import { PatEntity } from './pat.entity.js';

/** Personal access tokens (the pats table joins their owners, the users). */
@Injectable()
export class PatsRepository {
  constructor(@InjectRepository(PatEntity) private readonly pats: Repository<PatEntity>) {}

  findOfUser(userId: string, id: string): Promise<PatEntity | null> {
    return this.pats.findOneBy({ id, userId });
  }

  findByHash(tokenHash: string): Promise<PatEntity | null> {
    return this.pats.findOneBy({ tokenHash });
  }

  /** With its owner (whether they are disabled, their email, when their roles last changed). */
  findByHashWithUser(tokenHash: string): Promise<PatEntity | null> {
    return this.pats.findOne({ where: { tokenHash }, relations: { user: true } });
  }

  findWithUser(id: string): Promise<PatEntity | null> {
    return this.pats.findOne({ where: { id }, relations: { user: true } });
  }

  countByState(now: Date): Promise<StateCounts> {
    return countByState(this.pats, now);
  }

  /** Live tokens of every user expiring after `from` and by `to`, soonest first, with their owners. */
  expiringBetween(from: Date, to: Date, limit: number): Promise<PatEntity[]> {
    return this.pats.find({
      where: { revokedAt: IsNull(), expiresAt: And(MoreThan(from), LessThanOrEqual(to)) },
      relations: { user: true },
      order: { expiresAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  /** Tokens whose name or visible prefix contains `term` (a superset: see `like`), newest first, with owners. */
  search(term: string, limit: number): Promise<PatEntity[]> {
    return this.pats.find({
      where: [{ name: like(term) }, { displayPrefix: like(term) }],
      relations: { user: true },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }

  /** Newest first; `expiringBetween`: only live tokens expiring after `from` and by `to`. */
  listOfUser(userId: string, expiringBetween?: { from: Date; to: Date }): Promise<PatEntity[]> {
    return this.pats.find({
      where: {
        userId,
        ...(expiringBetween && {
          revokedAt: IsNull(),
          expiresAt: And(MoreThan(expiringBetween.from), LessThanOrEqual(expiringBetween.to)),
        }),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
  }

  listLiveOfUser(userId: string): Promise<PatEntity[]> {
    return this.pats.findBy({ userId, revokedAt: IsNull() });
  }

  countLiveOfUser(userId: string): Promise<number> {
    return this.pats.countBy({ userId, revokedAt: IsNull() });
  }

  existsWithActiveName(userId: string, name: string): Promise<boolean> {
    return this.pats.existsBy({ userId, activeName: name });
  }

  async insert(pat: PatEntity): Promise<void> {
    await this.pats.insert(pat);
  }

  /** Sets revokedAt if it is still unset; false when it was set already. */
  async revokeIfLive(id: string, at: Date, reason: string): Promise<boolean> {
    const result = await this.pats.update(
      { id, revokedAt: IsNull() },
      { revokedAt: at, activeName: null, revocationReason: reason },
    );
    return Boolean(result.affected);
  }

  /** Live tokens of enabled users expiring after `now` and by `horizon` that were not warned of, soonest first. */
  dueForExpiryWarning(now: Date, horizon: Date, limit: number): Promise<PatEntity[]> {
    return this.pats.find({
      where: {
        revokedAt: IsNull(),
        expiryWarnedAt: IsNull(),
        expiresAt: And(MoreThan(now), LessThanOrEqual(horizon)),
        user: { disabled: false },
      },
      relations: { user: true },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  /** Claims the expiry warning of one token; false when another instance claimed it first. */
  async claimExpiryWarning(id: string, at: Date): Promise<boolean> {
    const claimed = await this.pats.update({ id, expiryWarnedAt: IsNull() }, { expiryWarnedAt: at });
    return Boolean(claimed.affected);
  }

  /** Moves "last used" forward (never backwards when batches from several instances arrive out of order), in one transaction. */
  async recordLastUsed(uses: { id: string; at: Date; address: string | null }[]): Promise<void> {
    await this.pats.manager.transaction(async (manager) => {
      for (const use of uses) {
        await manager.update(
          PatEntity,
          { id: use.id, lastUsedAt: Or(IsNull(), LessThan(use.at)) },
          { lastUsedAt: use.at, lastUsedAddress: use.address },
        );
      }
    });
  }
}
