import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BEARER_SCHEME, ProblemException } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { SyncRunDto } from '../audience/dto/sync-run.dto.js';
import { AUDIENCE_SCOPES } from '../config/service-a.config.js';
import { SyncFailedError } from './sync-failure.js';
import { SyncService } from './sync.service.js';

@ApiTags('sync')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({
  status: 400,
  description:
    'A credential sent elsewhere than the Authorization header, or a malformed one (RFC 6750 `invalid_request`; problem+json)',
})
@ApiResponse({
  status: 401,
  description:
    'No access token, or one that is invalid, expired, revoked or for another audience (RFC 6750 `invalid_token`; problem+json)',
})
@ApiResponse({
  status: 403,
  description: 'The access token lacks `audience:sync` (RFC 6750 `insufficient_scope`; problem+json)',
})
@Controller('sync')
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes(AUDIENCE_SCOPES.sync)
  @ApiOperation({
    operationId: 'syncAudience',
    summary: 'Sync the audience from the CRM now (joins a sync already running)',
  })
  @ApiOkResponse({ type: SyncRunDto })
  @ApiResponse({
    status: 502,
    description:
      'The authorization server or service-b refused the request or answered nonsense (problem+json with the failed run)',
  })
  @ApiResponse({
    status: 503,
    description: 'The authorization server or service-b is unreachable (problem+json with the failed run)',
  })
  @ApiResponse({
    status: 504,
    description: 'The authorization server or service-b did not answer in time (problem+json with the failed run)',
  })
  async run(): Promise<SyncRunDto> {
    try {
      return SyncRunDto.from(await this.sync.run('manual'));
    } catch (error) {
      if (!(error instanceof SyncFailedError)) throw error;
      const { status, code, detail } = error.failure;
      throw new ProblemException(status, detail, {
        code,
        extensions: error.run ? { run: SyncRunDto.from(error.run) } : {},
      });
    }
  }
}
