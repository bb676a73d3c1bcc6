import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditService } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import type { PatEntity } from './pat.entity.js';
import { PatPolicyService } from './pat-policy.service.js';
import { PatsRepository } from './pats.repository.js';
import { signWebhook } from '../webhooks/webhook-signature.js';

const DAY_MS = 86_400_000;
const BATCH = 200;
const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 5_000;

/**
 * Warns once per PAT before it expires: audit event `pat.expiring` and, when configured, a signed
 * webhook (Standard Webhooks headers; the body never contains the token). Each warning is claimed
 * with a conditional update of expiryWarnedAt, so with several instances exactly one sends it.
 */
@Injectable()
export class PatExpiryNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PatExpiryNotifier.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly pats: PatsRepository,
    private readonly policies: PatPolicyService,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.pats.expiryCheckIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(
      () => void this.run().catch((error) => this.logger.error(`PAT expiry check failed: ${error}`)),
      seconds * 1000,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass (also called directly in tests); returns how many warnings this instance sent. */
  run(): Promise<number> {
    this.running ??= this.warnExpiring().finally(() => (this.running = undefined));
    return this.running;
  }

  private async warnExpiring(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = this.clock.now();
      const { expiryWarningDays } = await this.policies.get();
      const horizon = new Date(now.getTime() + expiryWarningDays * DAY_MS);
      const due = await this.pats.dueForExpiryWarning(now, horizon, BATCH);
      for (const pat of due) {
        if (!(await this.pats.claimExpiryWarning(pat.id, now))) continue;
        await this.warn(pat, now);
        sent += 1;
      }
      if (due.length < BATCH) return sent;
    }
  }

  private async warn(pat: PatEntity, now: Date): Promise<void> {
    const user = pat.user!;
    await this.audit.record({
      action: 'pat.expiring',
      outcome: 'success',
      actor: { type: 'system' },
      credential: { type: 'pat', id: pat.id },
      details: {
        userId: user.id,
        name: pat.name,
        displayPrefix: pat.displayPrefix,
        expiresAt: pat.expiresAt!.toISOString(),
      },
    });
    const webhook = this.config.pats.expiryWebhook;
    if (!webhook) return;
    const body = JSON.stringify({
      type: 'pat.expiring',
      timestamp: now.toISOString(),
      data: {
        token: {
          id: pat.id,
          name: pat.name,
          displayPrefix: pat.displayPrefix,
          scopes: pat.scopes,
          resources: pat.resources,
          expiresAt: pat.expiresAt!.toISOString(),
          lastUsedAt: pat.lastUsedAt?.toISOString() ?? null,
        },
        user: { id: user.id, email: user.email, displayName: user.displayName, kind: user.kind },
      },
    });
    await this.deliver(webhook, `pat-expiring-${pat.id}`, body);
  }

  /** At most three attempts; the id is stable so the receiver can drop duplicates. */
  private async deliver(webhook: { url: string; secret?: string }, id: string, body: string): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Tollgate-Webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
      };
      if (webhook.secret) headers['webhook-signature'] = signWebhook(webhook.secret, id, timestamp, body);
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.ok) return;
        this.logger.warn(`PAT expiry webhook answered ${response.status} (attempt ${attempt}/${ATTEMPTS})`);
      } catch (error) {
        this.logger.warn(`PAT expiry webhook failed (attempt ${attempt}/${ATTEMPTS}): ${(error as Error).message}`);
      }
      if (attempt < ATTEMPTS) await sleep(500 * 4 ** (attempt - 1));
    }
    this.audit.recordInBackground({
      action: 'pat.expiring.webhook_failed',
      outcome: 'failure',
      actor: { type: 'system' },
      reason: `no 2xx answer after ${ATTEMPTS} attempts`,
      details: { webhookId: id },
    });
  }
}
