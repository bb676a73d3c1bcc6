import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
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
import { ApiConsumersService } from './api-consumers.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiConsumerDto } from './dto/api-consumer.response.js';
import { CreateApiConsumerDto } from './dto/create-api-consumer.dto.js';
import { UpdateApiConsumerDto } from './dto/update-api-consumer.dto.js';
import { ApiKeyDto } from './dto/api-key.response.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { CreatedApiKeyDto } from './dto/created-api-key.response.js';

@ApiTags('api-keys')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/consumers')
export class ApiConsumersController {
  constructor(
    private readonly consumers: ApiConsumersService,
    private readonly keys: ApiKeysService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listConsumers', summary: 'List registered API consumers' })
  @ApiOkResponse({ type: [ApiConsumerDto] })
  async list(): Promise<ApiConsumerDto[]> {
    return (await this.consumers.list()).map(ApiConsumerDto.from);
  }

  @Post()
  @ApiOperation({
    operationId: 'createConsumer',
    summary: 'Register an API consumer (an application that will call our APIs with keys)',
  })
  @ApiCreatedResponse({ type: ApiConsumerDto })
  async create(@Body() body: CreateApiConsumerDto, @Actor() actor: AuditActor): Promise<ApiConsumerDto> {
    return ApiConsumerDto.from(await this.consumers.create(body, actor));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getConsumer', summary: 'Get an API consumer' })
  @ApiOkResponse({ type: ApiConsumerDto })
  async get(@Param('id', UuidPipe) id: string): Promise<ApiConsumerDto> {
    return ApiConsumerDto.from(await this.consumers.get(id));
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateConsumer',
    summary: 'Update, disable (all its keys stop working at once) or enable a consumer',
  })
  @ApiOkResponse({ type: ApiConsumerDto })
  async update(
    @Param('id', UuidPipe) id: string,
    @Body() body: UpdateApiConsumerDto,
    @Actor() actor: AuditActor,
  ): Promise<ApiConsumerDto> {
    return ApiConsumerDto.from(await this.consumers.update(id, body, actor));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteConsumer', summary: 'Delete a consumer and all its keys' })
  @ApiNoContentResponse()
  async remove(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.consumers.remove(id, actor);
  }

  @Get(':id/keys')
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'List a consumer’s keys (prefix, scopes, usage; never the key)',
  })
  @ApiOkResponse({ type: [ApiKeyDto] })
  listKeys(@Param('id', UuidPipe) id: string): Promise<ApiKeyDto[]> {
    return this.keys.list(id);
  }

  @Post(':id/keys')
  @MintsCredentials()
  @ApiOperation({ operationId: 'createApiKey', summary: 'Issue an API key; the key is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  createKey(
    @Param('id', UuidPipe) id: string,
    @Body() body: CreateApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(id, body, actor);
  }
}
