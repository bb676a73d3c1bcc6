import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ApiKeyUsageCount } from '../api-keys/api-keys.repository.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { type CredentialUse, LastUsedSinkRegistry } from '../oauth/credential-usage.js';
import type { CredentialDenialDto } from './dto/credential-denial.dto.js';
import type { CredentialUseDto } from './dto/credential-use.dto.js';

const FLUSH_INTERVAL_MS = 5_000;

/**
 * Credential usage, off the request path: resource servers count uses and report them in batches
 * every few seconds. A report is written before it is acknowledged (one additive upsert per key,
 * day and status class; "last used" per credential; its denials in the audit log), so an
 * acknowledged report survives a crash, and a failed one is kept and sent again by its resource
 * server (one that failed half-way may then count twice, never zero times). Uses seen by the
 * auth-server itself (its own management API) only move "last used" and are written every few seconds.
 */
@Injectable()
export class UsageService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageService.name);
  private latest = new Map<string, CredentialUse>();
  private timer?: NodeJS.Timeout;
  /** Writes run one at a time (SQLite has one connection; PostgreSQL is spared lock waits between them). */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly sinks: LastUsedSinkRegistry,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () =>
        void this.flush().catch((error) =>
          this.logger.warn(`Writing usage failed; kept for the next attempt: ${error}`),
        ),
      FLUSH_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((error) => this.logger.error(`Writing usage at shutdown failed: ${error}`));
  }

  /** A use seen by the auth-server itself (a PAT or API key on the management API). */
  recordLocalUse(use: CredentialUse): void {
    noteLastUsed(this.latest, use);
  }

  /**
   * Stores a resource server's report; resolves once it is written. Its denials, already added up
   * per credential and reason, become one audit event each with how many requests they stand for.
   */
  async report(uses: CredentialUseDto[], denials: CredentialDenialDto[], reporter: AuditActor): Promise<void> {
    const counters = new Map<string, ApiKeyUsageCount>();
    const latest = new Map<string, CredentialUse>();
    for (const use of uses) {
      if (use.credentialType === 'api_key') {
        const key = `${use.credentialId}|${use.day}|${use.statusClass}`;
        const counter = counters.get(key) ?? {
          keyId: use.credentialId,
          day: use.day,
          statusClass: use.statusClass,
          count: 0,
        };
        counter.count += use.count;
        counters.set(key, counter);
      }
      noteLastUsed(latest, {
        credentialType: use.credentialType,
        credentialId: use.credentialId,
        at: new Date(use.lastUsedAt),
        address: use.lastUsedAddress ?? null,
      });
    }
    const denied = denials.map((denial) =>
      this.audit.record({
        action: `${denial.credentialType === 'api_key' ? 'api-key' : denial.credentialType === 'pat' ? 'pat' : 'token'}.use.denied`,
        outcome: 'denied',
        actor: reporter,
        credential: { type: denial.credentialType, id: denial.credentialId },
        address: denial.samples[0].address,
        reason: denial.reason,
        details: {
          count: denial.count,
          firstAt: denial.firstAt,
          lastAt: denial.lastAt,
          samples: denial.samples,
          subject: denial.subject,
        },
      }),
    );
    await Promise.all([this.serially(() => this.write([...counters.values()], [...latest.values()])), ...denied]);
  }

  /** Writes the "last used" seen locally so far (kept for the next attempt if that fails); exposed for tests and shutdown. */
  flush(): Promise<void> {
    return this.serially(async () => {
      const latest = [...this.latest.values()];
      this.latest = new Map();
      try {
        await this.write([], latest);
      } catch (error) {
        // Last used is the latest value: writing one again with the next flush is harmless.
        for (const use of latest) noteLastUsed(this.latest, use);
        throw error;
      }
    });
  }

  private serially(write: () => Promise<void>): Promise<void> {
    const next = this.writes.catch(() => undefined).then(write);
    this.writes = next;
    return next;
  }

  private async write(counters: ApiKeyUsageCount[], latest: CredentialUse[]): Promise<void> {
    await this.apiKeys.addUsage(counters);
    for (const kind of ['api_key', 'pat'] as const) {
      const uses = latest.filter((use) => use.credentialType === kind);
      if (uses.length > 0) await this.sinks.sinkFor(kind)?.recordLastUsed(uses);
    }
  }
}

function noteLastUsed(latest: Map<string, CredentialUse>, use: CredentialUse): void {
  const key = `${use.credentialType}:${use.credentialId}`;
  const known = latest.get(key);
  if (!known || known.at < use.at) latest.set(key, use);
}
