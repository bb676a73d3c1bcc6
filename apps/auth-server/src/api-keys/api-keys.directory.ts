import { Injectable } from '@nestjs/common';
import {
  contains,
  type DirectoryHit,
  type ExpiringCredential,
  HITS_PER_KIND,
  type StateCounts,
} from '../common/directory.js';
import { ApiConsumersRepository } from './api-consumers.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';

/** What the console's overview and search know of API consumers and their keys. */
@Injectable()
export class ApiKeysDirectory {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly consumers: ApiConsumersRepository,
  ) {}

  counts(now: Date): Promise<StateCounts> {
    return this.keys.countByState(now);
  }

  async expiring(from: Date, to: Date, limit: number): Promise<ExpiringCredential[]> {
    const keys = await this.keys.expiringBetween(from, to, limit);
    return keys.map((key) => ({
      kind: 'api_key',
      id: key.id,
      name: key.name,
      displayPrefix: key.displayPrefix,
      expiresAt: key.expiresAt!,
      owner: { id: key.consumerId, name: key.consumer?.name ?? key.consumerId },
    }));
  }

  /** Consumers by name or contact; keys by name or visible prefix (`tgk_live_AbCd`). */
  async search(term: string): Promise<DirectoryHit[]> {
    const [consumers, keys] = await Promise.all([
      this.consumers.search(term, HITS_PER_KIND * 4),
      this.keys.search(term, HITS_PER_KIND * 4),
    ]);
    return [
      ...consumers
        .filter((consumer) => contains(term, consumer.name, consumer.contact))
        .slice(0, HITS_PER_KIND)
        .map((consumer): DirectoryHit => ({
          kind: 'consumer',
          id: consumer.id,
          title: consumer.name,
          detail: consumer.contact,
        })),
      ...keys
        .filter((key) => contains(term, key.name, key.displayPrefix))
        .slice(0, HITS_PER_KIND)
        .map((key): DirectoryHit => ({
          kind: 'api_key',
          id: key.id,
          title: key.name,
          detail: `${key.displayPrefix}… · ${key.revokedAt ? 'revoked' : key.environment}`,
          owner: { id: key.consumerId, name: key.consumer?.name ?? key.consumerId },
        })),
    ];
  }
}
