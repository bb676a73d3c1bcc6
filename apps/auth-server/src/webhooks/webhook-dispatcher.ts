import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomInt, randomUUID } from 'node:crypto';
import type { AuditRow } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { KeyEncryption } from '../signing-keys/key-encryption.js';
import { wants, webhookMessage } from './webhook-events.js';
import { type AttemptResult, sendWebhook } from './webhook-sender.js';
import { webhookHeaders } from './webhook-signature.js';
import { type WebhookDeliveryEntity, type WebhookEndpointEntity, WebhooksRepository } from './webhooks.repository.js';

/**
 * Seconds before each retry, about 24 hours in all (Stripe retries for three days, Svix for about
 * one): a receiver that is down for a deploy or a night still gets everything. Each is jittered by
 * ±20 %, so that the deliveries of an outage do not all come back at the same second.
 */
export const RETRY_DELAYS_SECONDS = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800];
const ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
const BATCH = 20;
const PARALLEL = 8;
/** How long an attempt holds its delivery: longer than the 10 s send timeout. */
const LEASE_MS = 60_000;
/** Endpoints are read again at least this often (another instance may have changed them). */
const ENDPOINTS_TTL_MS = 10_000;
/** Days a finished delivery stays in the log. */
const DELIVERY_LOG_DAYS = 30;
const CLEANUP_BATCH = 1_000;

export const sealingContext = (endpointId: string) => `webhook-secret:${endpointId}`;

/**
 * Sends every audit event to the webhook endpoints that want it. An event becomes one delivery row
 * per endpoint right after it is stored (never on the request's path: the caller was answered
 * already), and a worker makes the attempts: at once, then with backoff for about 24 hours, each
 * attempt signed with the endpoint's secret (and, during a rotation, the previous one too).
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private endpoints?: { list: WebhookEndpointEntity[]; until: number };
  private timer?: NodeJS.Timeout;
  private cleanupTimer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private following?: Promise<number>;
  private enqueued = Promise.resolve();

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly audit: AuditService,
    private readonly encryption: KeyEncryption,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.audit.onStored((rows) => {
      this.enqueued = this.enqueued
        .then(() => this.enqueue(rows))
        .catch((error: unknown) => this.logger.error(`Could not queue webhooks for ${rows.length} events: ${error}`));
    });
    // Every second, the retries that came due. While no endpoint exists, only the endpoint list is
    // read (every 10 s); while the database is down, nothing is tried (its outage is logged already).
    this.timer = setInterval(
      () =>
        void this.knownEndpoints().then(
          (endpoints) => endpoints.length > 0 && this.kick(),
          () => undefined,
        ),
      1_000,
    );
    this.timer.unref();
    this.cleanupTimer = setInterval(
      () =>
        void this.forgetOldDeliveries().catch((error: unknown) => this.logger.warn(`Delivery log cleanup: ${error}`)),
      3_600_000,
    );
    this.cleanupTimer.unref();
  }

  /**
   * The delivery log keeps finished deliveries for 30 days (as Svix and Stripe show them), then
   * forgets them in batches; pending ones stay until they succeed or fail.
   */
  async forgetOldDeliveries(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - DELIVERY_LOG_DAYS * 86_400_000);
    let deleted = 0;
    for (;;) {
      const count = await this.webhooks.deleteFinishedBefore(before, CLEANUP_BATCH);
      deleted += count;
      if (count < CLEANUP_BATCH) return deleted;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.cleanupTimer);
    await this.enqueued;
    await this.following?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** The endpoints changed here: read them again before the next event. */
  endpointsChanged(): void {
    this.endpoints = undefined;
  }

  /**
   * Attempts what is due now; resolves with how many attempts were made. One run at a time: a call
   * during a run gets the run that follows it (shared by every such call), so whatever was due when
   * it was called is attempted.
   */
  deliverDue(): Promise<number> {
    if (!this.running) {
      this.running = this.attemptDue().finally(() => (this.running = undefined));
      return this.running;
    }
    this.following ??= this.running
      .catch(() => 0)
      .then(() => {
        this.following = undefined;
        return this.deliverDue();
      });
    return this.following;
  }

  /** Everything queued so far is stored (tests). */
  settled(): Promise<void> {
    return this.enqueued;
  }

  private kick(): void {
    void this.deliverDue().catch((error: unknown) =>
      this.logger.warn(`Webhook deliveries failed; will retry: ${error}`),
    );
  }

  private async enqueue(rows: readonly AuditRow[]): Promise<void> {
    const endpoints = (await this.knownEndpoints()).filter((endpoint) => !endpoint.disabled);
    if (endpoints.length === 0) return;
    const now = this.clock.now();
    const deliveries: WebhookDeliveryEntity[] = [];
    for (const row of rows) {
      let message: string | undefined;
      for (const endpoint of endpoints) {
        if (!wants(endpoint.events, row.action)) continue;
        message ??= webhookMessage(row);
        deliveries.push({
          id: randomUUID(),
          endpointId: endpoint.id,
          eventType: row.action,
          payload: message,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastStatusCode: null,
          lastError: null,
          createdAt: now,
          deliveredAt: null,
        });
      }
    }
    if (deliveries.length === 0) return;
    await this.webhooks.insertDeliveries(deliveries);
    this.kick();
  }

  /** Every endpoint, enabled or not, read again at least every 10 s. */
  private async knownEndpoints(): Promise<WebhookEndpointEntity[]> {
    const now = Date.now();
    if (!this.endpoints || this.endpoints.until <= now)
      this.endpoints = { list: await this.webhooks.listEndpoints(), until: now + ENDPOINTS_TTL_MS };
    return this.endpoints.list;
  }

  private async attemptDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const now = this.clock.now();
      const due = await this.webhooks.due(now, BATCH);
      if (due.length === 0) return attempted;
      const endpoints = new Map(
        (await this.webhooks.endpointsByIds([...new Set(due.map((delivery) => delivery.endpointId))])).map(
          (endpoint) => [endpoint.id, endpoint],
        ),
      );
      const claimed: WebhookDeliveryEntity[] = [];
      for (const delivery of due)
        if (await this.webhooks.claim(delivery, new Date(now.getTime() + LEASE_MS))) claimed.push(delivery);
      for (let start = 0; start < claimed.length; start += PARALLEL)
        await Promise.all(
          claimed
            .slice(start, start + PARALLEL)
            .map((delivery) => this.attempt(delivery, endpoints.get(delivery.endpointId))),
        );
      attempted += claimed.length;
      if (due.length < BATCH) return attempted;
    }
  }

  private async attempt(delivery: WebhookDeliveryEntity, endpoint: WebhookEndpointEntity | undefined): Promise<void> {
    const result: AttemptResult =
      !endpoint || endpoint.disabled
        ? { error: 'the endpoint is disabled' }
        : await sendWebhook(
            {
              url: endpoint.url,
              headers: webhookHeaders(
                this.secretsOf(endpoint),
                delivery.id,
                // The moment of sending, by the wall clock: receivers check it against theirs.
                Math.floor(Date.now() / 1000),
                delivery.payload,
              ),
              body: delivery.payload,
            },
            this.config.webhooks.allowPrivateNetworks,
          );
    const attempts = delivery.attempts + 1;
    const now = this.clock.now();
    if ('status' in result && result.status >= 200 && result.status < 300) {
      await this.webhooks.updateDelivery(delivery.id, {
        status: 'succeeded',
        attempts,
        lastStatusCode: result.status,
        lastError: null,
        deliveredAt: now,
      });
      return;
    }
    const last = attempts >= ATTEMPTS || !endpoint || endpoint.disabled;
    const delayMs = RETRY_DELAYS_SECONDS[Math.min(attempts - 1, RETRY_DELAYS_SECONDS.length - 1)] * 1000;
    await this.webhooks.updateDelivery(delivery.id, {
      status: last ? 'failed' : 'pending',
      attempts,
      lastStatusCode: 'status' in result ? result.status : null,
      lastError: 'error' in result ? result.error : `answered ${result.status}`,
      nextAttemptAt: new Date(now.getTime() + Math.round(delayMs * (0.8 + randomInt(401) / 1000))),
    });
  }

  /** The current secret, and the previous one while its rotation overlap lasts. */
  private secretsOf(endpoint: WebhookEndpointEntity): string[] {
    const context = sealingContext(endpoint.id);
    const secrets = [this.encryption.open(endpoint.sealedSecret, context)];
    if (
      endpoint.sealedPreviousSecret &&
      (endpoint.previousSecretExpiresAt?.getTime() ?? 0) > this.clock.now().getTime()
    )
      secrets.push(this.encryption.open(endpoint.sealedPreviousSecret, context));
    return secrets;
  }
}
