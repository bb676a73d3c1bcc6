import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { MintsCredentials } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto } from './dto/api-key.response.js';
import { ApiKeyUsageDto } from './dto/api-key-usage.response.js';
import { CreatedApiKeyDto } from './dto/created-api-key.response.js';
import { RollApiKeyDto } from './dto/roll-api-key.dto.js';
import { UsageQueryDto } from './dto/get-api-key-usage.query.js';

@ApiTags('api-keys')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get(':id')
  @ApiOperation({ operationId: 'getApiKey', summary: 'Get an API key (never its secret)' })
  @ApiOkResponse({ type: ApiKeyDto })
  get(@Param('id', UuidPipe) id: string): Promise<ApiKeyDto> {
    return this.keys.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke a key at once' })
  @ApiNoContentResponse()
  async revoke(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.keys.revoke(id, actor);
  }

  @Post(':id/roll')
  @MintsCredentials()
  @ApiOperation({
    operationId: 'rollApiKey',
    summary: 'Roll: a new key with the same settings; the old one works for the overlap (default 60 min, 0 = at once)',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  roll(
    @Param('id', UuidPipe) id: string,
    @Body() body: RollApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.roll(id, body, actor);
  }

  @Get(':id/usage')
  @ApiOperation({ operationId: 'getApiKeyUsage', summary: 'Requests per day and status class, and last use' })
  @ApiOkResponse({ type: ApiKeyUsageDto })
  usage(@Param('id', UuidPipe) id: string, @Query() query: UsageQueryDto): Promise<ApiKeyUsageDto> {
    return this.keys.usage(id, query.days ?? 30);
  }
}
