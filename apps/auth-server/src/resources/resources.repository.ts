import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { type EntityManager, In, type Repository } from 'typeorm';
import type { Transaction } from '../database/unit-of-work.js';
import { ResourceEntity } from './resource.entity.js';

export type { ResourceEntity } from './resource.entity.js';

@Injectable()
export class ResourcesRepository {
  constructor(@InjectEntityManager() private readonly manager: EntityManager) {}

  list(): Promise<ResourceEntity[]> {
    return this.table().find({ order: { createdAt: 'ASC' } });
  }

  findById(id: string): Promise<ResourceEntity | null> {
    return this.table().findOneBy({ id });
  }

  findByIndicator(indicator: string, tx?: Transaction): Promise<ResourceEntity | null> {
    return this.table(tx).findOneBy({ indicator });
  }

  findByIndicators(indicators: string[], tx?: Transaction): Promise<ResourceEntity[]> {
    return indicators.length ? this.table(tx).findBy({ indicator: In(indicators) }) : Promise.resolve([]);
  }

  /** The management API (created by Tollgate). */
  findSystem(): Promise<ResourceEntity | null> {
    return this.table().findOneBy({ system: true });
  }

  existsWithIndicator(indicator: string): Promise<boolean> {
    return this.table().existsBy({ indicator });
  }

  async insert(resource: ResourceEntity): Promise<void> {
    await this.table().insert(resource);
  }

  async update(id: string, changes: Partial<Omit<ResourceEntity, 'id'>>): Promise<void> {
    await this.table().update({ id }, changes);
  }

  async save(resource: ResourceEntity): Promise<void> {
    await this.table().save(resource);
  }

  async delete(id: string): Promise<void> {
    await this.table().delete({ id });
  }

  private table(tx?: Transaction): Repository<ResourceEntity> {
    return (tx ?? this.manager).getRepository(ResourceEntity);
  }
}
