import { Controller, Get, Logger, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@tollgate/platform/http';
import { ResourceServerVerification } from '@tollgate/verifier';
import { Public } from '@tollgate/verifier/nest';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ApiProblemResponse } from '../common/api-problem-response.decorator.js';
import { HealthResponse } from './health.response.js';

// A database that is down can leave a query waiting for a connection indefinitely; a probe must answer.
const DATABASE_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly verification?: ResourceServerVerification,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Liveness, database reachability and the state of the revocation feed',
  })
  @ApiOkResponse({ type: HealthResponse, description: 'The service and its database answer' })
  @ApiProblemResponse(503, 'The database does not answer')
  async check(): Promise<HealthResponse> {
    try {
      await this.pingDatabase();
    } catch (error) {
      this.logger.warn(
        `Health check: the database does not answer (${error instanceof Error ? error.message : String(error)})`,
      );
      throw new ProblemException(503, 'The database does not answer', { code: 'database_unavailable' });
    }
    return {
      status: 'ok',
      database: 'ok',
      ...(this.verification ? { authentication: this.verification.health() } : {}),
    };
  }

  private async pingDatabase(): Promise<void> {
    const timer = new AbortController();
    const timeout = sleep(DATABASE_TIMEOUT_MS, undefined, { signal: timer.signal }).then(() => {
      throw new Error(`no answer within ${DATABASE_TIMEOUT_MS} ms`);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
    } finally {
      timer.abort();
    }
  }
}
