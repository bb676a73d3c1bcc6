import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { AUDIENCE_SCOPES } from '../config/service-a.config.js';
import { AudienceRepository } from './audience.repository.js';
import { AudienceQueryDto } from './dto/audience-query.dto.js';
import { AudienceMemberDto } from './dto/audience-member.dto.js';
import { AudiencePageDto } from './dto/audience-page.dto.js';
import { SyncRunDto } from './dto/sync-run.dto.js';
import { SyncRunRepository } from './sync-run.repository.js';

@ApiTags('audience')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({
  status: 401,
  description:
    'No access token, or one that is invalid, expired, revoked or for another audience (RFC 6750 `invalid_token`; problem+json)',
})
@ApiResponse({
  status: 403,
  description: 'The access token lacks `audience:read` (RFC 6750 `insufficient_scope`; problem+json)',
})
@Controller('audience')
export class AudienceController {
  constructor(
    private readonly audience: AudienceRepository,
    private readonly runs: SyncRunRepository,
  ) {}

  @Get()
  @RequireScopes(AUDIENCE_SCOPES.read)
  @ApiOperation({
    operationId: 'listAudience',
    summary: 'The audience synced from the CRM, ordered by email, with the last sync',
  })
  @ApiOkResponse({ type: AudiencePageDto })
  @ApiResponse({
    status: 400,
    description:
      'limit or offset out of range, or a credential sent elsewhere than the Authorization header (problem+json)',
  })
  async list(@Query() query: AudienceQueryDto): Promise<AudiencePageDto> {
    const [[members, total], lastSync] = await Promise.all([
      this.audience.page(query.limit, query.offset),
      this.runs.latest(),
    ]);
    return {
      items: members.map(AudienceMemberDto.from),
      total,
      limit: query.limit,
      offset: query.offset,
      lastSync: lastSync ? SyncRunDto.from(lastSync) : null,
    };
  }
}
