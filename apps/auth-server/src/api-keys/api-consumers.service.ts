import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import type { ApiConsumerEntity } from './api-consumer.entity.js';
import { ApiConsumersRepository } from './api-consumers.repository.js';
import type { CreateApiConsumerDto } from './dto/create-api-consumer.dto.js';
import type { UpdateApiConsumerDto } from './dto/update-api-consumer.dto.js';

@Injectable()
export class ApiConsumersService {
  constructor(
    private readonly consumers: ApiConsumersRepository,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  list(): Promise<ApiConsumerEntity[]> {
    return this.consumers.list();
  }

  async get(id: string): Promise<ApiConsumerEntity> {
    const consumer = await this.consumers.findById(id);
    if (!consumer) throw new NotFoundException(`API consumer ${id} not found`);
    return consumer;
  }

  async create(input: CreateApiConsumerDto, actor: AuditActor): Promise<ApiConsumerEntity> {
    const now = this.clock.now();
    const consumer: ApiConsumerEntity = {
      id: randomUUID(),
      name: input.name,
      contact: input.contact,
      description: input.description ?? null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.consumers.insert(consumer);
    await this.audit.record({
      action: 'api-consumer.created',
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id: consumer.id },
      details: { name: consumer.name },
    });
    return consumer;
  }

  async update(id: string, input: UpdateApiConsumerDto, actor: AuditActor): Promise<ApiConsumerEntity> {
    const consumer = await this.get(id);
    Object.assign(consumer, { ...input, updatedAt: this.clock.now() });
    await this.consumers.save(consumer);
    if (input.disabled === true)
      await this.feed.publish({
        type: 'subject.revoked_before',
        kind: 'consumer',
        id,
        before: consumer.updatedAt.getTime(),
      });
    if (input.disabled === false) await this.feed.publish({ type: 'subject.changed', kind: 'consumer', id });
    const action =
      input.disabled === true
        ? 'api-consumer.disabled'
        : input.disabled === false
          ? 'api-consumer.enabled'
          : 'api-consumer.updated';
    await this.audit.record({
      action,
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id },
      details: { changes: Object.keys(input) },
    });
    return consumer;
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    await this.get(id);
    await this.consumers.delete(id);
    await this.feed.publish({
      type: 'subject.revoked_before',
      kind: 'consumer',
      id,
      before: this.clock.now().getTime(),
    });
    await this.audit.record({
      action: 'api-consumer.deleted',
      outcome: 'success',
      actor,
      credential: { type: 'api_consumer', id },
    });
  }
}
