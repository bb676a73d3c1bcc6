import { ApiProperty } from '@nestjs/swagger';
import type { AudienceMemberEntity } from '../audience-member.entity.js';

export class AudienceMemberDto {
  @ApiProperty({ format: 'uuid', description: 'The contact’s id in the CRM' })
  contactId: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Analytical Engines Ltd' })
  company: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the contact last changed in the CRM' })
  crmUpdatedAt: string;

  @ApiProperty({ format: 'date-time' })
  addedAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time', description: 'When a sync last found the contact in the CRM' })
  syncedAt: string;

  static from(member: AudienceMemberEntity): AudienceMemberDto {
    return {
      contactId: member.contactId,
      email: member.email,
      name: member.name,
      company: member.company,
      crmUpdatedAt: member.crmUpdatedAt.toISOString(),
      addedAt: member.addedAt.toISOString(),
      updatedAt: member.updatedAt.toISOString(),
      syncedAt: member.syncedAt.toISOString(),
    };
  }
}
