import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@tollgate/platform';
import { SyncRunDto } from '../audience/dto/sync-run.dto.js';
import { SyncFailedError } from './sync-failure.js';
import { SyncService } from './sync.service.js';

@ApiTags('sync')
@Controller('sync')
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sync the audience from the CRM now (joins a sync already running)' })
  @ApiOkResponse({ type: SyncRunDto })
  @ApiResponse({ status: 502, description: 'The authorization server or service-b refused the request or answered nonsense (problem+json with the failed run)' })
  @ApiResponse({ status: 503, description: 'The authorization server or service-b is unreachable (problem+json with the failed run)' })
  @ApiResponse({ status: 504, description: 'The authorization server or service-b did not answer in time (problem+json with the failed run)' })
  async run(): Promise<SyncRunDto> {
    try {
      return SyncRunDto.from(await this.sync.run('manual'));
    } catch (error) {
      if (!(error instanceof SyncFailedError)) throw error;
      const { status, code, detail } = error.failure;
      throw new ProblemException(status, detail, { code, extensions: error.run ? { run: SyncRunDto.from(error.run) } : {} });
    }
  }
}
