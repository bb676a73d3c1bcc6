import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { type AuditActor, AuditService } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { KeyEncryption } from '../signing-keys/key-encryption.js';
import type {
  CreatedWebhookDto,
  CreateWebhookDto,
  RotateWebhookSecretDto,
  UpdateWebhookDto,
  WebhookDeliveriesQueryDto,
  WebhookDeliveryDto,
  WebhookDto,
  WebhookSecretDto,
} from './dto/webhook.dto.js';
import { sealingContext, WebhookDispatcher } from './webhook-dispatcher.js';
import { newWebhookSecret } from './webhook-signature.js';
import { checkWebhookUrl, WebhookTargetRefused } from './webhook-target.js';
import { type WebhookDeliveryEntity, type WebhookEndpointEntity, WebhooksRepository } from './webhooks.repository.js';

const MINUTE_MS = 60_000;

/** Webhook endpoints (managed by admins, audited) and their delivery logs. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly encryption: KeyEncryption,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(): Promise<WebhookDto[]> {
    return (await this.webhooks.listEndpoints()).map(describe);
  }

  async get(id: string): Promise<WebhookDto> {
    return describe(await this.find(id));
  }

  async create(input: CreateWebhookDto, actor: AuditActor): Promise<CreatedWebhookDto> {
    const url = this.checkedUrl(input.url);
    const now = this.clock.now();
    const id = randomUUID();
    const secret = newWebhookSecret();
    const endpoint: WebhookEndpointEntity = {
      id,
      url,
      description: input.description ?? '',
      events: input.events,
      sealedSecret: this.encryption.seal(secret, sealingContext(id)),
      sealedPreviousSecret: null,
      previousSecretExpiresAt: null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.webhooks.insertEndpoint(endpoint);
    this.dispatcher.endpointsChanged();
    await this.audited('webhook.created', id, actor, { url, events: input.events });
    return { ...describe(endpoint), secret };
  }

  async update(id: string, input: UpdateWebhookDto, actor: AuditActor): Promise<WebhookDto> {
    await this.find(id);
    const url = input.url === undefined ? undefined : this.checkedUrl(input.url);
    await this.webhooks.updateEndpoint(id, {
      ...(url !== undefined && { url }),
      ...(input.events !== undefined && { events: input.events }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.disabled !== undefined && { disabled: input.disabled }),
      updatedAt: this.clock.now(),
    });
    this.dispatcher.endpointsChanged();
    const changes = Object.keys(input).filter((key) => input[key as keyof UpdateWebhookDto] !== undefined);
    await this.audited('webhook.updated', id, actor, { changes });
    return this.get(id);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    await this.find(id);
    await this.webhooks.deleteEndpoint(id);
    this.dispatcher.endpointsChanged();
    await this.audited('webhook.deleted', id, actor);
  }

  /** A new secret, shown once; the current one keeps signing beside it for the overlap given (a day by default). */
  async rotateSecret(id: string, input: RotateWebhookSecretDto, actor: AuditActor): Promise<WebhookSecretDto> {
    const endpoint = await this.find(id);
    const now = this.clock.now();
    const overlapMinutes = input.expireCurrentInMinutes ?? 1_440;
    const secret = newWebhookSecret();
    const previousSecretExpiresAt = overlapMinutes > 0 ? new Date(now.getTime() + overlapMinutes * MINUTE_MS) : null;
    await this.webhooks.updateEndpoint(id, {
      sealedSecret: this.encryption.seal(secret, sealingContext(id)),
      sealedPreviousSecret: previousSecretExpiresAt ? endpoint.sealedSecret : null,
      previousSecretExpiresAt,
      updatedAt: now,
    });
    this.dispatcher.endpointsChanged();
    await this.audited('webhook.secret.rotated', id, actor, {
      previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null,
    });
    return { secret, previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null };
  }

  async deliveries(id: string, query: WebhookDeliveriesQueryDto): Promise<WebhookDeliveryDto[]> {
    await this.find(id);
    return (await this.webhooks.deliveriesOf(id, query.limit ?? 50, query.status)).map(describeDelivery);
  }

  /** Sends a delivery again, from its first attempt, under the same webhook-id (whatever its status). */
  async replay(id: string, deliveryId: string, actor: AuditActor): Promise<WebhookDeliveryDto> {
    const endpoint = await this.find(id);
    if (endpoint.disabled) throw new BadRequestException('The endpoint is disabled: enable it before replaying');
    const delivery = await this.webhooks.findDelivery(id, deliveryId);
    if (!delivery) throw new NotFoundException(`No delivery ${deliveryId} for webhook ${id}`);
    await this.webhooks.updateDelivery(deliveryId, {
      status: 'pending',
      attempts: 0,
      nextAttemptAt: this.clock.now(),
      lastError: null,
      lastStatusCode: null,
      deliveredAt: null,
    });
    await this.audited('webhook.delivery.replayed', id, actor, { deliveryId, eventType: delivery.eventType });
    void this.dispatcher.deliverDue().catch(() => undefined);
    return describeDelivery((await this.webhooks.findDelivery(id, deliveryId))!);
  }

  private checkedUrl(url: string): string {
    try {
      return checkWebhookUrl(url, this.config.webhooks.allowPrivateNetworks).toString();
    } catch (error) {
      if (error instanceof WebhookTargetRefused) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private async find(id: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.webhooks.findEndpoint(id);
    if (!endpoint) throw new NotFoundException(`No webhook with id ${id}`);
    return endpoint;
  }

  private audited(action: string, id: string, actor: AuditActor, details?: Record<string, unknown>): Promise<void> {
    return this.audit.record({
      action,
      outcome: 'success',
      actor,
      credential: { type: 'webhook', id },
      ...(details && { details }),
    });
  }
}

function describe(endpoint: WebhookEndpointEntity): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.events,
    disabled: endpoint.disabled,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

function describeDelivery(delivery: WebhookDeliveryEntity): WebhookDeliveryDto {
  return {
    id: delivery.id,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    payload: JSON.parse(delivery.payload) as Record<string, unknown>,
  };
}
