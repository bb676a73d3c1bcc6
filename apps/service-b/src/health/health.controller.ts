import { Controller, Get, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@tollgate/platform';
import { Public } from '@tollgate/verifier';
import { DataSource } from 'typeorm';
import { ApiProblemResponse } from '../common/api-problem-response.decorator.js';
import { HealthResponse } from './health.response.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability' })
  @ApiOkResponse({ type: HealthResponse, description: 'The service and its database answer' })
  @ApiProblemResponse(503, 'The database does not answer')
  async check(): Promise<HealthResponse> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch (error) {
      this.logger.warn(`Health check: the database does not answer (${error instanceof Error ? error.message : String(error)})`);
      throw new ProblemException(503, 'The database does not answer', { code: 'database_unavailable' });
    }
    return { status: 'ok', database: 'ok' };
  }
}
