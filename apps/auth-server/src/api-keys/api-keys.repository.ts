import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { And, type DataSource, In, IsNull, LessThanOrEqual, MoreThan, MoreThanOrEqual, type Repository } from 'typeorm';
import { like, type StateCounts } from '../common/directory.js';
import { countByState } from '../common/state-counts.repository.js';
import { ApiKeyUsageEntity } from './api-key-usage.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';

const INCREMENT_USAGE = `INSERT INTO "api_key_usage" ("keyId", "day", "statusClass", "count") VALUES (:keyId, :day, :statusClass, :count)
ON CONFLICT ("keyId", "day", "statusClass") DO UPDATE SET "count" = "api_key_usage"."count" + excluded."count"`;

/** Requests made with one key on one UTC day and status class, to add to the stored count. */
export interface ApiKeyUsageCount {
  keyId: string;
  day: string;
  statusClass: string;
  count: number;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ id });
  }

  findByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ keyHash });
  }

  /** With its consumer (introspection needs its name and whether it is disabled). */
  findByHashWithConsumer(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOne({ where: { keyHash }, relations: { consumer: true } });
  }

  countByState(now: Date): Promise<StateCounts> {
    return countByState(this.keys, now);
  }

  /** Live keys expiring after `from` and by `to`, soonest first, with their consumers. */
  expiringBetween(from: Date, to: Date, limit: number): Promise<ApiKeyEntity[]> {
    return this.keys.find({
      where: { revokedAt: IsNull(), expiresAt: And(MoreThan(from), LessThanOrEqual(to)) },
      relations: { consumer: true },
      order: { expiresAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  /** Keys whose name or visible prefix contains `term` (a superset: see `like`), newest first, with consumers. */
  search(term: string, limit: number): Promise<ApiKeyEntity[]> {
    return this.keys.find({
      where: [{ name: like(term) }, { displayPrefix: like(term) }],
      relations: { consumer: true },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }

  listForConsumer(consumerId: string): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { consumerId }, order: { createdAt: 'ASC' } });
  }

  async insert(key: ApiKeyEntity): Promise<void> {
    await this.keys.insert(key);
  }

  async revoke(id: string, at: Date, reason: string): Promise<void> {
    await this.keys.update({ id }, { revokedAt: at, revokedReason: reason });
  }

  /** False when the key was revoked already (by a concurrent call, say). */
  async revokeIfActive(id: string, at: Date, reason: string): Promise<boolean> {
    const revoked = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: at, revokedReason: reason });
    return revoked.affected === 1;
  }

  /** Links the old key to its successor and stores the successor; false when the old key was rolled meanwhile. */
  roll(oldId: string, oldKeyExpiresAt: Date | null, successor: ApiKeyEntity): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const updated = await manager.update(
        ApiKeyEntity,
        { id: oldId, rolledToId: IsNull() },
        { rolledToId: successor.id, expiresAt: oldKeyExpiresAt },
      );
      if (updated.affected !== 1) return false;
      await manager.insert(ApiKeyEntity, successor);
      return true;
    });
  }

  async recordLastUsed(id: string, at: Date, address: string | null): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: at, lastUsedAddress: address });
  }

  /** Usage rows of these keys from `sinceDay` (`YYYY-MM-DD`) on, oldest day first. */
  usageSince(keyIds: string[], sinceDay: string): Promise<ApiKeyUsageEntity[]> {
    return this.dataSource
      .getRepository(ApiKeyUsageEntity)
      .find({ where: { keyId: In(keyIds), day: MoreThanOrEqual(sinceDay) }, order: { day: 'ASC' } });
  }

  /** Adds the counts in one transaction (one additive upsert per key, day and status class). */
  async addUsage(counts: ApiKeyUsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const count of counts) {
        const [query, parameters] = this.dataSource.driver.escapeQueryWithParameters(INCREMENT_USAGE, { ...count });
        await manager.query(query, parameters);
      }
    });
  }

  private get keys(): Repository<ApiKeyEntity> {
    return this.dataSource.getRepository(ApiKeyEntity);
  }
}
