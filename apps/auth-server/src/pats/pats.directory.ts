import { Injectable } from '@nestjs/common';
import {
  contains,
  type DirectoryHit,
  type ExpiringCredential,
  HITS_PER_KIND,
  type StateCounts,
} from '../common/directory.js';
import { PatsRepository } from './pats.repository.js';

/** What the console's overview and search know of personal access tokens (never more than their prefix). */
@Injectable()
export class PatsDirectory {
  constructor(private readonly pats: PatsRepository) {}

  counts(now: Date): Promise<StateCounts> {
    return this.pats.countByState(now);
  }

  async expiring(from: Date, to: Date, limit: number): Promise<ExpiringCredential[]> {
    const pats = await this.pats.expiringBetween(from, to, limit);
    return pats.map((pat) => ({
      kind: 'pat',
      id: pat.id,
      name: pat.name,
      displayPrefix: pat.displayPrefix,
      expiresAt: pat.expiresAt!,
      owner: { id: pat.userId, name: pat.user?.email ?? pat.userId },
    }));
  }

  /** Tokens by name or visible prefix (`tgp_AbCd`). */
  async search(term: string): Promise<DirectoryHit[]> {
    const found = await this.pats.search(term, HITS_PER_KIND * 4);
    return found
      .filter((pat) => contains(term, pat.name, pat.displayPrefix))
      .slice(0, HITS_PER_KIND)
      .map((pat) => ({
        kind: 'pat',
        id: pat.id,
        title: pat.name,
        detail: `${pat.displayPrefix}…${pat.revokedAt ? ' · revoked' : ''}`,
        owner: { id: pat.userId, name: pat.user?.email ?? pat.userId },
      }));
  }
}
