import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, LessThanOrEqual, type Repository } from 'typeorm';
import { WebhookDeliveryEntity, type WebhookDeliveryStatus } from './webhook-delivery.entity.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';

export type { WebhookDeliveryStatus };
export { WebhookDeliveryEntity, WebhookEndpointEntity };

@Injectable()
export class WebhooksRepository {
  constructor(
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  listEndpoints(): Promise<WebhookEndpointEntity[]> {
    return this.endpoints.find({ order: { createdAt: 'ASC' } });
  }

  findEndpoint(id: string): Promise<WebhookEndpointEntity | null> {
    return this.endpoints.findOneBy({ id });
  }

  async insertEndpoint(endpoint: WebhookEndpointEntity): Promise<void> {
    await this.endpoints.insert(endpoint);
  }

  async updateEndpoint(id: string, changes: Partial<Omit<WebhookEndpointEntity, 'id'>>): Promise<void> {
    await this.endpoints.update({ id }, changes);
  }

  async deleteEndpoint(id: string): Promise<void> {
    await this.endpoints.delete({ id });
  }

  async insertDeliveries(rows: WebhookDeliveryEntity[]): Promise<void> {
    // Bounded statements: SQLite allows 32,766 parameters, and each row has 11.
    for (let start = 0; start < rows.length; start += 500) await this.deliveries.insert(rows.slice(start, start + 500));
  }

  /** Pending deliveries whose next attempt is due, oldest first. */
  due(now: Date, limit: number): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries.find({
      where: { status: 'pending', nextAttemptAt: LessThanOrEqual(now) },
      order: { nextAttemptAt: 'ASC' },
      take: limit,
    });
  }

  /**
   * Takes a due delivery for one attempt by moving its next attempt to `leaseUntil`, only if nobody
   * moved it first: with several auth-servers, each attempt is made by one of them. An instance
   * that dies mid-attempt leaves it to be retried when the lease ends.
   */
  async claim(delivery: WebhookDeliveryEntity, leaseUntil: Date): Promise<boolean> {
    const result = await this.deliveries.update(
      { id: delivery.id, status: 'pending', nextAttemptAt: delivery.nextAttemptAt },
      { nextAttemptAt: leaseUntil },
    );
    return (result.affected ?? 0) === 1;
  }

  async updateDelivery(id: string, changes: Partial<Omit<WebhookDeliveryEntity, 'id'>>): Promise<void> {
    await this.deliveries.update({ id }, changes);
  }

  /** An endpoint's deliveries, newest first, optionally of one status. */
  deliveriesOf(endpointId: string, limit: number, status?: WebhookDeliveryStatus): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries.find({
      where: { endpointId, ...(status && { status }) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  findDelivery(endpointId: string, id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ endpointId, id });
  }

  /** Deletes at most `limit` deliveries that finished (succeeded or failed) before `before`; returns how many. */
  async deleteFinishedBefore(before: Date, limit: number): Promise<number> {
    const old = await this.deliveries.find({
      select: { id: true },
      where: { status: In(['succeeded', 'failed']), createdAt: LessThan(before) },
      take: limit,
    });
    if (old.length > 0) await this.deliveries.delete({ id: In(old.map(({ id }) => id)) });
    return old.length;
  }

  /** Endpoints by id, for a batch of deliveries. */
  endpointsByIds(ids: string[]): Promise<WebhookEndpointEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.endpoints.findBy({ id: In(ids) });
  }
}
