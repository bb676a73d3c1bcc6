import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { RevocationEventEntity } from './revocation-event.entity.js';

/** The revocation feed's stored events, numbered in the order they were stored. */
@Injectable()
export class RevocationEventsRepository {
  constructor(@InjectRepository(RevocationEventEntity) private readonly events: Repository<RevocationEventEntity>) {}

  async insert(event: Omit<RevocationEventEntity, 'id'>): Promise<void> {
    await this.events.insert(event);
  }

  /** At most `limit` events after `seq`, oldest first. */
  after(seq: number, limit: number): Promise<RevocationEventEntity[]> {
    return this.events.find({ where: { id: MoreThan(seq) }, order: { id: 'ASC' }, take: limit });
  }

  /** The id of the last event that occurred before `at`, or 0. */
  async lastIdBefore(at: Date): Promise<number> {
    const before = await this.events.findOne({
      where: { occurredAt: LessThan(at) },
      order: { id: 'DESC' },
      select: { id: true },
    });
    return before?.id ?? 0;
  }

  async deleteBefore(at: Date): Promise<void> {
    await this.events.delete({ occurredAt: LessThan(at) });
  }
}
