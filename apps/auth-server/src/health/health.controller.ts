import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@tollgate/verifier/nest';
import { SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { HealthRepository } from './health.repository.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: HealthRepository,
    private readonly keys: SigningKeysService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness and readiness' })
  @ApiOkResponse({ description: '{ status: "ok", database: "ok", signingKey: <kid> }' })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable (problem+json)' })
  async health(): Promise<{ status: string; database: string; signingKey: string }> {
    try {
      await this.database.ping();
    } catch {
      throw new ServiceUnavailableException('The database is unreachable');
    }
    return { status: 'ok', database: 'ok', signingKey: this.keys.signingKey().kid };
  }
}
