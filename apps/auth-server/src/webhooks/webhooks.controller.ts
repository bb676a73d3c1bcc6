import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  RotateWebhookSecretDto,
  UpdateWebhookDto,
  WebhookDeliveriesQueryDto,
  WebhookDeliveryDto,
  WebhookDto,
  WebhookSecretDto,
} from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: 'List webhook endpoints' })
  @ApiOkResponse({ type: [WebhookDto] })
  list(): Promise<WebhookDto[]> {
    return this.webhooks.list();
  }

  @Post()
  @MintsCredentials()
  @ApiOperation({
    operationId: 'createWebhook',
    summary:
      'Send audit events to a URL as signed webhooks (Standard Webhooks); the signing secret is in this response only',
  })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  create(@Body() body: CreateWebhookDto, @Actor() actor: AuditActor): Promise<CreatedWebhookDto> {
    return this.webhooks.create(body, actor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhook', summary: 'Get a webhook endpoint' })
  @ApiOkResponse({ type: WebhookDto })
  get(@Param('id', UuidPipe) id: string): Promise<WebhookDto> {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateWebhook', summary: 'Change its URL, events or description, or disable it' })
  @ApiOkResponse({ type: WebhookDto })
  update(
    @Param('id', UuidPipe) id: string,
    @Body() body: UpdateWebhookDto,
    @Actor() actor: AuditActor,
  ): Promise<WebhookDto> {
    return this.webhooks.update(id, body, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiNoContentResponse()
  remove(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    return this.webhooks.remove(id, actor);
  }

  @Post(':id/secret')
  @MintsCredentials()
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'A new signing secret, shown once; the current one signs beside it for the overlap given',
  })
  @ApiCreatedResponse({ type: WebhookSecretDto })
  rotate(
    @Param('id', UuidPipe) id: string,
    @Body() body: RotateWebhookSecretDto,
    @Actor() actor: AuditActor,
  ): Promise<WebhookSecretDto> {
    return this.webhooks.rotateSecret(id, body, actor);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log: the newest deliveries, each with its attempts and last answer',
  })
  @ApiOkResponse({ type: [WebhookDeliveryDto] })
  deliveries(
    @Param('id', UuidPipe) id: string,
    @Query() query: WebhookDeliveriesQueryDto,
  ): Promise<WebhookDeliveryDto[]> {
    return this.webhooks.deliveries(id, query);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperation({ operationId: 'replayWebhookDelivery', summary: 'Send a delivery again, under the same webhook-id' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  replay(
    @Param('id', UuidPipe) id: string,
    @Param('deliveryId', UuidPipe) deliveryId: string,
    @Actor() actor: AuditActor,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.replay(id, deliveryId, actor);
  }
}
