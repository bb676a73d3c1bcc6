import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, type Repository } from 'typeorm';
import type { CrmContact } from '../crm/crm.client.js';
import { AudienceMemberEntity } from './audience-member.entity.js';

export interface ReconcileCounts {
  added: number;
  updated: number;
  removed: number;
}

// Rows per statement: well under SQLite's and PostgreSQL's limits on bound parameters.
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));
}

function differs(member: AudienceMemberEntity, contact: CrmContact): boolean {
  return (
    member.email !== contact.email ||
    member.name !== contact.name ||
    member.company !== contact.company ||
    member.crmUpdatedAt.getTime() !== contact.updatedAt.getTime()
  );
}

@Injectable()
export class AudienceRepository {
  constructor(@InjectRepository(AudienceMemberEntity) private readonly members: Repository<AudienceMemberEntity>) {}

  page(limit: number, offset: number): Promise<[AudienceMemberEntity[], number]> {
    return this.members.findAndCount({ order: { email: 'ASC', contactId: 'ASC' }, take: limit, skip: offset });
  }

  /**
   * Makes the audience equal to the CRM's contacts: adds new ones, rewrites changed ones, removes
   * those gone from the CRM, and stamps every remaining member as seen. Run it inside a transaction.
   */
  async reconcile(manager: EntityManager, contacts: CrmContact[], now: Date): Promise<ReconcileCounts> {
    const repository = manager.getRepository(AudienceMemberEntity);
    const existing = new Map((await repository.find()).map((member) => [member.contactId, member]));
    const added: AudienceMemberEntity[] = [];
    const changed: AudienceMemberEntity[] = [];
    for (const contact of contacts) {
      const member = existing.get(contact.id);
      existing.delete(contact.id);
      if (!member) {
        added.push(
          repository.create({
            contactId: contact.id,
            ...fieldsOf(contact),
            addedAt: now,
            updatedAt: now,
            syncedAt: now,
          }),
        );
      } else if (differs(member, contact)) {
        changed.push(Object.assign(member, fieldsOf(contact), { updatedAt: now }));
      }
    }
    for (const chunk of chunks(added)) await repository.insert(chunk);
    for (const member of changed) {
      await repository.update(
        { contactId: member.contactId },
        {
          email: member.email,
          name: member.name,
          company: member.company,
          crmUpdatedAt: member.crmUpdatedAt,
          updatedAt: now,
        },
      );
    }
    const removed = [...existing.keys()];
    await this.remove(manager, removed);
    // Everything still in the table was just seen in the CRM.
    await repository.createQueryBuilder().update().set({ syncedAt: now }).execute();
    return { added: added.length, updated: changed.length, removed: removed.length };
  }

  async remove(manager: EntityManager, contactIds: string[]): Promise<void> {
    for (const chunk of chunks(contactIds))
      await manager.getRepository(AudienceMemberEntity).delete({ contactId: In(chunk) });
  }
}

function fieldsOf(contact: CrmContact) {
  return { email: contact.email, name: contact.name, company: contact.company, crmUpdatedAt: contact.updatedAt };
}
