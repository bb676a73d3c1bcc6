import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import { ApiKeyUsageDto } from '../api-keys/dto/api-key-usage.response.js';
import { ApiKeyDto } from '../api-keys/dto/api-key.response.js';
import { CreateApiKeyDto } from '../api-keys/dto/create-api-key.dto.js';
import { CreatedApiKeyDto } from '../api-keys/dto/created-api-key.response.js';
import { UsageQueryDto } from '../api-keys/dto/get-api-key-usage.query.js';
import { RollApiKeyDto } from '../api-keys/dto/roll-api-key.dto.js';
import { Actor, type AuditActor } from '../common/actor.js';
import { AllowCredentials } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { MyConsumerDto } from './dto/my-consumer.response.js';
import { PortalService } from './portal.service.js';

/**
 * The developer portal: a person invited to an API consumer manages its keys (create within the
 * provider's limits, roll, revoke, usage). Another consumer, or one whose portal is closed, is a 404.
 */
@ApiTags('developer-portal')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@AllowCredentials({
  allowed: ['session', 'cli_sign_in'],
  code: 'session_required',
  detail:
    'The developer portal is used from a signed-in console session (POST /api/session) or the Tollgate CLI (tollgate login); personal access tokens, access tokens and API keys cannot use it',
})
@Controller('api/me/consumers')
export class DeveloperPortalController {
  constructor(private readonly portal: PortalService) {}

  @Get()
  @ApiOperation({ operationId: 'listMyConsumers', summary: 'The API consumers you were invited to, with their limits' })
  @ApiOkResponse({ type: [MyConsumerDto] })
  list(@CurrentPrincipal() principal: Principal): Promise<MyConsumerDto[]> {
    return this.portal.myConsumers(principal.userId!);
  }

  @Get(':id/keys')
  @ApiOperation({ operationId: 'listMyConsumerKeys', summary: 'The consumer’s keys (never the key itself)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  keys(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<ApiKeyDto[]> {
    return this.portal.myKeys(principal.userId!, id);
  }

  @Post(':id/keys')
  @ApiOperation({
    operationId: 'createMyConsumerKey',
    summary:
      'Create a key within the provider’s limits (403 beyond_portal_limits names what is beyond them); the key is in this response only',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() body: CreateApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedApiKeyDto> {
    return this.portal.createKey(principal.userId!, id, body, actor);
  }

  @Post(':id/keys/:keyId/roll')
  @ApiOperation({
    operationId: 'rollMyConsumerKey',
    summary: 'Roll a key: a new one with the same settings; the old one works for the overlap (default 60 min)',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  roll(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Param('keyId', UuidPipe) keyId: string,
    @Body() body: RollApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedApiKeyDto> {
    return this.portal.rollKey(principal.userId!, id, keyId, body, actor);
  }

  @Delete(':id/keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeMyConsumerKey', summary: 'Revoke a key at once' })
  @ApiNoContentResponse()
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Param('keyId', UuidPipe) keyId: string,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    await this.portal.revokeKey(principal.userId!, id, keyId, actor);
  }

  @Get(':id/keys/:keyId/usage')
  @ApiOperation({ operationId: 'getMyConsumerKeyUsage', summary: 'Requests per day and status class' })
  @ApiOkResponse({ type: ApiKeyUsageDto })
  usage(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Param('keyId', UuidPipe) keyId: string,
    @Query() query: UsageQueryDto,
  ): Promise<ApiKeyUsageDto> {
    return this.portal.keyUsage(principal.userId!, id, keyId, query.days ?? 30);
  }
}
