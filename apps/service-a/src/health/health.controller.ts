import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@tollgate/platform/http';
import { ResourceServerVerification } from '@tollgate/verifier';
import { Public } from '@tollgate/verifier/nest';
import { SyncRunDto } from '../audience/dto/sync-run.dto.js';
import { SyncRunRepository } from '../audience/sync-run.repository.js';
import { SyncService } from '../sync/sync.service.js';
import { HealthDto } from './dto/health.dto.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly runs: SyncRunRepository,
    private readonly sync: SyncService,
    private readonly verification: ResourceServerVerification,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'getHealth',
    summary:
      'Liveness, the state of the last sync (a failed sync does not make service-a unhealthy) and of the revocation feed',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiResponse({ status: 503, description: 'The database cannot be read (problem+json)' })
  async check(): Promise<HealthDto> {
    const [lastSync, lastSuccess] = await Promise.all([this.runs.latest(), this.runs.latestSuccessful()]).catch(() => {
      throw new ProblemException(503, 'service-a cannot read its database', { code: 'database_unavailable' });
    });
    const { revocationFeed, lastRevocationEventId } = this.verification.health();
    return {
      status: 'ok',
      syncing: this.sync.running,
      lastSync: lastSync ? SyncRunDto.from(lastSync) : null,
      lastSuccessfulSyncAt: lastSuccess ? lastSuccess.finishedAt.toISOString() : null,
      authentication: { revocationFeed, lastRevocationEventId },
    };
  }
}
