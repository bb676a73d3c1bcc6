import { ApiProperty } from '@nestjs/swagger';
import { AudienceMemberDto } from './audience-member.dto.js';
import { SyncRunDto } from './sync-run.dto.js';

export class AudiencePageDto {
  @ApiProperty({ type: [AudienceMemberDto] })
  items: AudienceMemberDto[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;

  @ApiProperty({ type: SyncRunDto, nullable: true, description: 'The most recent sync, successful or not' })
  lastSync: SyncRunDto | null;
}
