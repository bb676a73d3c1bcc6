import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AudienceRepository } from './audience.repository.js';
import { AudienceQueryDto } from './dto/audience-query.dto.js';
import { AudienceMemberDto, AudiencePageDto } from './dto/audience-page.dto.js';
import { SyncRunDto } from './dto/sync-run.dto.js';
import { SyncRunRepository } from './sync-run.repository.js';

@ApiTags('audience')
@Controller('audience')
export class AudienceController {
  constructor(
    private readonly audience: AudienceRepository,
    private readonly runs: SyncRunRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The audience synced from the CRM, ordered by email, with the last sync' })
  @ApiOkResponse({ type: AudiencePageDto })
  @ApiResponse({ status: 400, description: 'limit or offset out of range (problem+json)' })
  async list(@Query() query: AudienceQueryDto): Promise<AudiencePageDto> {
    const [[members, total], lastSync] = await Promise.all([this.audience.page(query.limit, query.offset), this.runs.latest()]);
    return { items: members.map(AudienceMemberDto.from), total, limit: query.limit, offset: query.offset, lastSync: lastSync ? SyncRunDto.from(lastSync) : null };
  }
}
