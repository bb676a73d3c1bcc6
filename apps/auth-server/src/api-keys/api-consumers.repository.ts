import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { like } from '../common/directory.js';
import { ApiConsumerEntity } from './api-consumer.entity.js';

@Injectable()
export class ApiConsumersRepository {
  constructor(@InjectRepository(ApiConsumerEntity) private readonly consumers: Repository<ApiConsumerEntity>) {}

  list(): Promise<ApiConsumerEntity[]> {
    return this.consumers.find({ order: { createdAt: 'ASC' } });
  }

  /** Consumers whose name or contact contains `term` (a superset: see `like`). */
  search(term: string, limit: number): Promise<ApiConsumerEntity[]> {
    return this.consumers.find({
      where: [{ name: like(term) }, { contact: like(term) }],
      order: { name: 'ASC' },
      take: limit,
    });
  }

  findById(id: string): Promise<ApiConsumerEntity | null> {
    return this.consumers.findOneBy({ id });
  }

  async insert(consumer: ApiConsumerEntity): Promise<void> {
    await this.consumers.insert(consumer);
  }

  async save(consumer: ApiConsumerEntity): Promise<void> {
    await this.consumers.save(consumer);
  }

  async delete(id: string): Promise<void> {
    await this.consumers.delete({ id });
  }
}
