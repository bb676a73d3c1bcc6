import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { ContactEntity } from './contact.entity.js';

export interface ContactPageRequest {
  limit: number;
  offset: number;
  /** Already normalised (see normalizeForSearch). */
  search?: string;
}

export interface ContactPage {
  items: ContactEntity[];
  total: number;
}

export type ContactChanges = Partial<
  Omit<ContactEntity, 'id' | 'createdAt' | 'createdBySubject' | 'createdByCredentialType'>
>;

/** Another contact already has this email (compared case-insensitively). */
export class DuplicateContactEmailError extends Error {
  constructor() {
    super('A contact with this email already exists');
    this.name = 'DuplicateContactEmailError';
  }
}

/** Case- and composition-insensitive form of a name, an email or a search string. */
export function normalizeForSearch(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

const EMAIL_INDEX = 'uq_contacts_email_normalized';

// The unique index is the single source of truth, so two concurrent writes cannot both succeed.
function isDuplicateEmail(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string; message?: string };
  if (driverError.code === '23505') return driverError.constraint === EMAIL_INDEX;
  return (
    driverError.code === 'SQLITE_CONSTRAINT_UNIQUE' && (driverError.message ?? '').includes('contacts.emailNormalized')
  );
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

@Injectable()
export class ContactsRepository {
  constructor(@InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>) {}

  async insert(contact: ContactEntity): Promise<void> {
    try {
      await this.contacts.insert(contact);
    } catch (error) {
      throw isDuplicateEmail(error) ? new DuplicateContactEmailError() : error;
    }
  }

  findById(id: string): Promise<ContactEntity | null> {
    return this.contacts.findOneBy({ id });
  }

  /** Ordered by creation time then id, so pages are stable while contacts are added. */
  async page({ limit, offset, search }: ContactPageRequest): Promise<ContactPage> {
    const query = this.contacts
      .createQueryBuilder('contact')
      .orderBy('contact.createdAt', 'ASC')
      .addOrderBy('contact.id', 'ASC')
      .offset(offset)
      .limit(limit);
    if (search) {
      query.where(
        "(contact.nameNormalized LIKE :pattern ESCAPE '\\' OR contact.emailNormalized LIKE :pattern ESCAPE '\\')",
        {
          pattern: `%${escapeLike(search)}%`,
        },
      );
    }
    const [items, total] = await query.getManyAndCount();
    return { items, total };
  }

  /** Applies the changes; null when the contact does not exist. */
  async update(id: string, changes: ContactChanges): Promise<ContactEntity | null> {
    try {
      const result = await this.contacts.update({ id }, changes);
      if (!result.affected) return null;
    } catch (error) {
      throw isDuplicateEmail(error) ? new DuplicateContactEmailError() : error;
    }
    return this.findById(id);
  }

  /** False when there was nothing to delete. */
  async delete(id: string): Promise<boolean> {
    const result = await this.contacts.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
