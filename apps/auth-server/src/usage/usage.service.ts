import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { type CredentialUse, LastUsedSinkRegistry } from '../oauth/credential-usage.js';
import type { CredentialDenialDto, CredentialUseDto } from './dto/usage-report.dto.js';

const FLUSH_INTERVAL_MS = 5_000;

const INCREMENT_USAGE = `INSERT INTO "api_key_usage" ("keyId", "day", "statusClass", "count") VALUES (:keyId, :day, :statusClass, :count)
ON CONFLICT ("keyId", "day", "statusClass") DO UPDATE SET "count" = "api_key_usage"."count" + excluded."count"`;

/**
 * Credential usage, off the request path: resource servers report counts and "last used" in
 * batches, the auth-server adds them up in memory and writes them every few seconds (one additive
 * upsert per key, day and status class; one update per credential for last used). Denials
 * reported by resource servers, already added up per credential and reason, go to the audit log.
 */
@Injectable()
export class UsageService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageService.name);
  private counters = new Map<string, { keyId: string; day: string; statusClass: string; count: number }>();
  private latest = new Map<string, CredentialUse>();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sinks: LastUsedSinkRegistry,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch((error) => this.logger.warn(`Writing usage failed; kept for the next attempt: ${error}`)), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((error) => this.logger.error(`Writing usage at shutdown failed: ${error}`));
  }

  /** A use seen by the auth-server itself (a PAT or API key on the management API). */
  recordLocalUse(use: CredentialUse): void {
    this.noteLastUsed(use);
  }

  /**
   * Adds a resource server's report. Denials are audited before it is accepted, so a report the
   * database could not store is answered with an error and sent again, never half-counted. One
   * event per credential and reason in each report, with how many requests it stands for: a flood
   * of refusals stays a few readable events instead of a row per request.
   */
  async report(uses: CredentialUseDto[], denials: CredentialDenialDto[], reporter: AuditActor): Promise<void> {
    await Promise.all(
      denials.map((denial) =>
        this.audit.record({
          action: `${denial.credentialType === 'api_key' ? 'api-key' : denial.credentialType === 'pat' ? 'pat' : 'token'}.use.denied`,
          outcome: 'denied',
          actor: reporter,
          credential: { type: denial.credentialType, id: denial.credentialId },
          address: denial.samples[0].address,
          reason: denial.reason,
          details: { count: denial.count, firstAt: denial.firstAt, lastAt: denial.lastAt, samples: denial.samples, subject: denial.subject },
        }),
      ),
    );
    for (const use of uses) {
      if (use.credentialType === 'api_key') this.count({ keyId: use.credentialId, day: use.day, statusClass: use.statusClass, count: use.count });
      this.noteLastUsed({ credentialType: use.credentialType, credentialId: use.credentialId, at: new Date(use.lastUsedAt), address: use.lastUsedAddress ?? null });
    }
  }

  /** Writes what has accumulated; what could not be written (the database unreachable) is kept for the next flush. */
  async flush(): Promise<void> {
    const counters = [...this.counters.values()];
    const latest = [...this.latest.values()];
    this.counters = new Map();
    this.latest = new Map();
    try {
      if (counters.length > 0) {
        await this.dataSource.transaction(async (manager) => {
          for (const counter of counters) {
            const [query, parameters] = this.dataSource.driver.escapeQueryWithParameters(INCREMENT_USAGE, counter);
            await manager.query(query, parameters);
          }
        });
      }
    } catch (error) {
      for (const counter of counters) this.count(counter);
      for (const use of latest) this.noteLastUsed(use);
      throw error;
    }
    try {
      for (const kind of ['api_key', 'pat'] as const) {
        const uses = latest.filter((use) => use.credentialType === kind);
        if (uses.length > 0) await this.sinks.sinkFor(kind)?.recordLastUsed(uses);
      }
    } catch (error) {
      // Last used is the latest value: writing one again with the next flush is harmless.
      for (const use of latest) this.noteLastUsed(use);
      throw error;
    }
  }

  private count(counter: { keyId: string; day: string; statusClass: string; count: number }): void {
    const key = `${counter.keyId}|${counter.day}|${counter.statusClass}`;
    const known = this.counters.get(key);
    if (known) known.count += counter.count;
    else this.counters.set(key, { ...counter });
  }

  private noteLastUsed(use: CredentialUse): void {
    const key = `${use.credentialType}:${use.credentialId}`;
    const known = this.latest.get(key);
    if (!known || known.at < use.at) this.latest.set(key, use);
  }
}
