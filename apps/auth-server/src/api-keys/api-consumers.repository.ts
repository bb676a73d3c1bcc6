import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiConsumerEntity } from './api-consumer.entity.js';

@Injectable()
export class ApiConsumersRepository {
  constructor(@InjectRepository(ApiConsumerEntity) private readonly consumers: Repository<ApiConsumerEntity>) {}

  list(): Promise<ApiConsumerEntity[]> {
    return this.consumers.find({ order: { createdAt: 'ASC' } });
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
