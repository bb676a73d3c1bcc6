import { ApiProperty } from '@nestjs/swagger';
import type { ContactEntity } from '../contact.entity.js';

export class ContactResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true })
  company: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone: string | null;

  @ApiProperty({ type: [String], nullable: true })
  tags: string[] | null;

  @ApiProperty({ type: String, nullable: true })
  notes: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(contact: ContactEntity): ContactResponse {
    return {
      id: contact.id,
      name: contact.name,
      email: contact.email,
      company: contact.company,
      phone: contact.phone,
      tags: contact.tags,
      notes: contact.notes,
      createdAt: contact.createdAt.toISOString(),
      updatedAt: contact.updatedAt.toISOString(),
    };
  }
}

export class ContactListResponse {
  @ApiProperty({ type: [ContactResponse] })
  items: ContactResponse[];

  @ApiProperty({ type: 'integer', description: 'Contacts matching the filter, across all pages.' })
  total: number;

  @ApiProperty({ type: 'integer' })
  limit: number;

  @ApiProperty({ type: 'integer' })
  offset: number;
}
