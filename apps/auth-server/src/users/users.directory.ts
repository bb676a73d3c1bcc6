import { Injectable } from '@nestjs/common';
import { contains, type DirectoryHit, HITS_PER_KIND } from '../common/directory.js';
import { UsersRepository } from './users.repository.js';

/** What the console's overview and search know of users. */
@Injectable()
export class UsersDirectory {
  constructor(private readonly users: UsersRepository) {}

  counts() {
    return this.users.countByKind();
  }

  async search(term: string): Promise<DirectoryHit[]> {
    const found = await this.users.search(term, HITS_PER_KIND * 4);
    return found
      .filter((user) => contains(term, user.email, user.displayName))
      .slice(0, HITS_PER_KIND)
      .map((user) => ({
        kind: 'user',
        id: user.id,
        title: user.displayName,
        detail: `${user.email} · ${user.kind === 'service_account' ? 'service account' : 'person'}${user.disabled ? ' · disabled' : ''}`,
      }));
  }
}
