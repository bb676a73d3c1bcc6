import { Injectable } from '@nestjs/common';
import { ProblemException } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { randomUUID } from 'node:crypto';
import { ContactEntity } from './contact.entity.js';
import {
  type ContactChanges,
  type ContactPage,
  ContactsRepository,
  DuplicateContactEmailError,
  normalizeForSearch,
} from './contacts.repository.js';
import type { CreateContactDto } from './dto/create-contact.dto.js';
import type { ListContactsQuery } from './dto/list-contacts.query.js';
import type { UpdateContactDto } from './dto/update-contact.dto.js';

/** Who created a contact: the credential's subject and kind (unknown when the route was not authenticated). */
export type ContactAuthor = Pick<Principal, 'subject' | 'credentialType'>;

const UPDATABLE_FIELDS = ['name', 'email', 'company', 'phone', 'tags', 'notes'] as const;

@Injectable()
export class ContactsService {
  constructor(private readonly contacts: ContactsRepository) {}

  async create(input: CreateContactDto, author: ContactAuthor | undefined): Promise<ContactEntity> {
    const now = new Date();
    const contact = Object.assign(new ContactEntity(), {
      id: randomUUID(),
      name: input.name,
      nameNormalized: normalizeForSearch(input.name),
      email: input.email,
      emailNormalized: normalizeForSearch(input.email),
      company: input.company ?? null,
      phone: input.phone ?? null,
      tags: input.tags ?? null,
      notes: input.notes ?? null,
      createdBySubject: author?.subject ?? null,
      createdByCredentialType: author?.credentialType ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await this.withEmailUniqueness(() => this.contacts.insert(contact));
    return contact;
  }

  list({ limit, offset, q }: ListContactsQuery): Promise<ContactPage> {
    return this.contacts.page({ limit, offset, search: q ? normalizeForSearch(q) : undefined });
  }

  async get(id: string): Promise<ContactEntity> {
    return (await this.contacts.findById(id)) ?? notFound(id);
  }

  async update(id: string, input: UpdateContactDto): Promise<ContactEntity> {
    const changes: ContactChanges = {};
    for (const field of UPDATABLE_FIELDS) {
      if (input[field] !== undefined) Object.assign(changes, { [field]: input[field] });
    }
    if (Object.keys(changes).length === 0) {
      throw new ProblemException(400, `Send at least one of: ${UPDATABLE_FIELDS.join(', ')}`, { code: 'empty_update' });
    }
    if (changes.name !== undefined) changes.nameNormalized = normalizeForSearch(changes.name);
    if (changes.email !== undefined) changes.emailNormalized = normalizeForSearch(changes.email);
    changes.updatedAt = new Date();
    return (await this.withEmailUniqueness(() => this.contacts.update(id, changes))) ?? notFound(id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.contacts.delete(id))) notFound(id);
  }

  private async withEmailUniqueness<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof DuplicateContactEmailError)
        throw new ProblemException(409, error.message, { code: 'contact_email_taken' });
      throw error;
    }
  }
}

function notFound(id: string): never {
  throw new ProblemException(404, `No contact has the id ${id}`, { code: 'contact_not_found' });
}
