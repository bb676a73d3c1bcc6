import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { type EntityManager, In, type Repository } from 'typeorm';
import type { Transaction } from '../database/unit-of-work.js';
import { SigningKeyEntity, type SigningKeyState } from './signing-key.entity.js';

export type SigningKeyChanges = Partial<
  Pick<SigningKeyEntity, 'state' | 'activatedAt' | 'deactivatedAt' | 'retiredAt'>
>;

@Injectable()
export class SigningKeysRepository {
  constructor(@InjectEntityManager() private readonly manager: EntityManager) {}

  /** Newest first. */
  list(): Promise<SigningKeyEntity[]> {
    return this.keys().find({ order: { createdAt: 'DESC' } });
  }

  /** The keys still published: next, current and previous. */
  listLive(): Promise<SigningKeyEntity[]> {
    return this.keys().findBy({ state: In(['next', 'current', 'previous']) });
  }

  findByKid(kid: string, tx?: Transaction): Promise<SigningKeyEntity | null> {
    return this.keys(tx).findOneBy({ kid });
  }

  findInState(state: SigningKeyState, tx?: Transaction): Promise<SigningKeyEntity | null> {
    return this.keys(tx).findOneBy({ state });
  }

  existsInState(state: SigningKeyState, tx?: Transaction): Promise<boolean> {
    return this.keys(tx).existsBy({ state });
  }

  async insert(key: SigningKeyEntity, tx?: Transaction): Promise<void> {
    await this.keys(tx).insert(key);
  }

  /** Applies the changes if the key is still in state `from`; false when another change came first. */
  async transition(kid: string, from: SigningKeyState, changes: SigningKeyChanges, tx?: Transaction): Promise<boolean> {
    const updated = await this.keys(tx).update({ kid, state: from }, changes);
    return updated.affected === 1;
  }

  private keys(tx?: Transaction): Repository<SigningKeyEntity> {
    return (tx ?? this.manager).getRepository(SigningKeyEntity);
  }
}
