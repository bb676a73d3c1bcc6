import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { type EntityManager, In, type Repository } from 'typeorm';
import type { Transaction } from '../database/unit-of-work.js';
import { like } from '../common/directory.js';
import { UserEntity, type UserKind } from './user.entity.js';

export type { UserEntity, UserKind } from './user.entity.js';

export type UserUpdate = Partial<Omit<UserEntity, 'id' | 'createdAt'>>;

export interface UserPageRequest {
  /** Normalised. */
  email?: string;
  kind?: UserKind;
  limit: number;
  offset: number;
}

const USERS_PER_UPDATE = 500;

@Injectable()
export class UsersRepository {
  constructor(@InjectEntityManager() private readonly manager: EntityManager) {}

  /** Oldest first. */
  page({ email, kind, limit, offset }: UserPageRequest): Promise<UserEntity[]> {
    return this.users().find({
      where: { ...(email && { email }), ...(kind && { kind }) },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  /** People and service accounts, and how many of all are disabled. */
  async countByKind(): Promise<{ people: number; serviceAccounts: number; disabled: number }> {
    const [people, serviceAccounts, disabled] = await Promise.all([
      this.users().count({ where: { kind: 'person' } }),
      this.users().count({ where: { kind: 'service_account' } }),
      this.users().count({ where: { disabled: true } }),
    ]);
    return { people, serviceAccounts, disabled };
  }

  /** Users whose email or display name contains `term` (a superset: see `like`). */
  search(term: string, limit: number): Promise<UserEntity[]> {
    return this.users().find({
      where: [{ email: like(term) }, { displayName: like(term) }],
      order: { email: 'ASC' },
      take: limit,
    });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users().findOneBy({ id });
  }

  /** `email` normalised. */
  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users().findOneBy({ email });
  }

  existsWithEmail(email: string, tx?: Transaction): Promise<boolean> {
    return this.users(tx).existsBy({ email });
  }

  async insert(user: UserEntity, tx?: Transaction): Promise<void> {
    await this.users(tx).insert(user);
  }

  async update(id: string, changes: UserUpdate, tx?: Transaction): Promise<void> {
    await this.users(tx).update({ id }, changes);
  }

  async delete(id: string): Promise<void> {
    await this.users().delete({ id });
  }

  /** Sets `exchangedTokensValidAfter` of these users (in batches: a role may have many holders). */
  async markExchangedTokensChanged(userIds: readonly string[], at: Date): Promise<void> {
    for (let start = 0; start < userIds.length; start += USERS_PER_UPDATE) {
      await this.users().update(
        { id: In(userIds.slice(start, start + USERS_PER_UPDATE)) },
        { exchangedTokensValidAfter: at },
      );
    }
  }

  private users(tx?: Transaction): Repository<UserEntity> {
    return (tx ?? this.manager).getRepository(UserEntity);
  }
}
