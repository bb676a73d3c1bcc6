import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { createAuthorizedFetch, type FetchFunction } from '@tollgate/m2m-client';
import { ManagementApiTokens } from '../management-api-tokens.js';
import type { DeniedRequest } from '../http/request-authentication.js';
import type { Principal } from '../principal.js';
import type { RemoteAuthorizationServer } from '../remote-authorization-server.js';

/** Bounds of one usage report; the auth-server validates the same (at its `usage_endpoint`). */
export const USAGE_REPORT_LIMITS = {
  /** Entries in each of `uses` and `denials`. */
  maxEntries: 500,
  /** Requests kept as examples of one aggregated denial. */
  maxSamples: 3,
  maxPathLength: 200,
  /** Behind TRUST_PROXY the address comes from X-Forwarded-For, which the caller may have written. */
  maxAddressLength: 64,
  /** Requests one entry stands for (the usage counters are 32-bit integers). */
  maxCount: 2_147_483_647,
} as const;

/** Bytes of one report: well under the auth-server's body limit (100 KiB), whatever the entries hold. */
const MAX_REPORT_BYTES = 32 * 1024;
const DEFAULT_MAX_PENDING = 10_000;
/**
 * Answers after which the same report can succeed later: 401 (the token is renewed), 408, 429 and
 * 5xx. Any other 4xx will be the same next time: a report refused as too large (413) is split, the
 * others dropped and counted.
 */
const RETRIED_CLIENT_ERRORS = new Set([401, 408, 429]);

export interface UsageReporterOptions {
  /** The auth-server, whose metadata names the `usage_endpoint` and the management API. */
  authorizationServer: RemoteAuthorizationServer;
  /** This resource server's client at the auth-server, granted `usage:write` on the management API. */
  clientId: string;
  clientSecret: string;
  flushIntervalMs?: number;
  /** Entries (uses and aggregated denials) that may wait in memory; past it, new ones are dropped and counted. */
  maxPending?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** A report could not be delivered and will be retried. */
  onError?: (error: unknown) => void;
  /** Records were dropped; called once per burst (until a report is delivered whole), not per record. */
  onDropped?: (reason: string) => void;
}

/** Requests made with one credential on one UTC day that were answered with one status class. */
export interface CredentialUseReport {
  credentialType: 'api_key' | 'pat';
  credentialId: string;
  day: string;
  statusClass: string;
  count: number;
  lastUsedAt: string;
  lastUsedAddress: string;
}

export interface DeniedRequestSample {
  address: string;
  method: string;
  path: string;
}

/** Requests with one credential refused for one reason: a count and a few examples, not a row per request. */
export interface CredentialDenialReport {
  credentialType: 'api_key' | 'pat' | 'access_token';
  credentialId: string;
  subject: string;
  reason: string;
  count: number;
  firstAt: string;
  lastAt: string;
  samples: DeniedRequestSample[];
}

export interface UsageReport {
  uses: CredentialUseReport[];
  denials: CredentialDenialReport[];
}

export interface UsageReporterHealth {
  /** Entries waiting for the next report. */
  pending: number;
  /** Requests whose use or refusal was not reported (queue full, or a report the auth-server refused). */
  dropped: number;
}

/** A use waiting to be reported: its time as milliseconds, written as ISO 8601 when the report is made. */
type PendingUse = Omit<CredentialUseReport, 'lastUsedAt'> & { lastUsedAtMs: number };

const reportOf = ({ lastUsedAtMs, ...use }: PendingUse): CredentialUseReport => ({
  ...use,
  lastUsedAt: new Date(lastUsedAtMs).toISOString(),
});
const pendingOf = ({ lastUsedAt, ...use }: CredentialUseReport): PendingUse => ({
  ...use,
  lastUsedAtMs: Date.parse(lastUsedAt),
});

const STATUS_CLASSES: Readonly<Record<number, string>> = { 1: '1xx', 2: '2xx', 3: '3xx', 4: '4xx', 5: '5xx' };
const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) of a time, formatted once per day rather than once per request. */
class UtcDay {
  private day = '';
  private start = 0;

  of(time: number): string {
    if (time < this.start || time >= this.start + DAY_MS) {
      this.start = time - (time % DAY_MS);
      this.day = new Date(this.start).toISOString().slice(0, 10);
    }
    return this.day;
  }
}

/** Counts further uses into a pending entry; the latest use gives its time and address. */
function mergeUse(known: PendingUse, count: number, atMs: number, address: string): void {
  known.count = Math.min(known.count + count, USAGE_REPORT_LIMITS.maxCount);
  if (atMs >= known.lastUsedAtMs) {
    known.lastUsedAtMs = atMs;
    known.lastUsedAddress = address;
  }
}

const useKey = (use: Pick<CredentialUseReport, 'credentialId' | 'day' | 'statusClass'>) =>
  `${use.credentialId}|${use.day}|${use.statusClass}`;
const denialKey = (denial: Pick<CredentialDenialReport, 'credentialType' | 'credentialId' | 'reason'>) =>
  `${denial.credentialType}|${denial.credentialId}|${denial.reason}`;
const requestsIn = (report: UsageReport) =>
  [...report.uses, ...report.denials].reduce((sum, entry) => sum + entry.count, 0);

/**
 * Counts requests per credential (by UTC day and status class), remembers the last use, and adds up
 * refusals per credential and reason, then reports them to the auth-server every few seconds: usage
 * monitoring and "last used" without a database write on the request path. Reports are cut to a
 * bounded size; one that failed is kept and retried (bounded), one the auth-server can never accept
 * is split (413) or dropped, and every drop is counted.
 */
export class UsageReporter {
  private uses = new Map<string, PendingUse>();
  private denials = new Map<string, CredentialDenialReport>();
  private dropped = 0;
  private droppingReported = false;
  private timer?: NodeJS.Timeout;
  private readonly post: FetchFunction;
  private readonly now: () => number;
  private readonly maxPending: number;
  private readonly today = new UtcDay();
  /** The last flush asked for (each runs after the one before), and how many have not finished. */
  private lastFlush = Promise.resolve();
  private unfinishedFlushes = 0;

  constructor(private readonly options: UsageReporterOptions) {
    this.now = options.now ?? Date.now;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    const tokens = new ManagementApiTokens(options.authorizationServer, {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: MANAGEMENT_SCOPES.usageWrite,
      fetch: options.fetch,
    });
    this.post = createAuthorizedFetch(tokens, { fetch: options.fetch });
  }

  start(): void {
    // A tick while a report is still on its way waits for the next tick.
    this.timer ??= setInterval(
      () => this.unfinishedFlushes === 0 && void this.flush(),
      this.options.flushIntervalMs ?? 5_000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  health(): UsageReporterHealth {
    return { pending: this.uses.size + this.denials.size, dropped: this.dropped };
  }

  /**
   * A response was sent to a caller authenticated with a PAT or an API key. Runs on every such
   * response, so a credential already counted today is merged in place without a new entry: the
   * time is kept as a number and written as ISO 8601 only in the report.
   */
  recordResponse(principal: Principal, status: number, address: string): void {
    if (principal.credentialType !== 'api_key' && principal.credentialType !== 'pat') return;
    const now = this.now();
    const day = this.today.of(now);
    const statusClass = STATUS_CLASSES[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx`;
    const lastUsedAddress = address.slice(0, USAGE_REPORT_LIMITS.maxAddressLength);
    const known = this.uses.get(useKey({ credentialId: principal.credentialId, day, statusClass }));
    if (known) return mergeUse(known, 1, now, lastUsedAddress);
    this.addUse({
      credentialType: principal.credentialType,
      credentialId: principal.credentialId,
      day,
      statusClass,
      count: 1,
      lastUsedAtMs: now,
      lastUsedAddress,
    });
  }

  /** A request whose credential was identified was refused (scope, address, rate limit). */
  recordDenial(denied: DeniedRequest): void {
    const principal = denied.principal;
    if (!principal || principal.credentialType === 'session') return;
    // Refused by the credential's own policy (address, rate limit): the request never had a user, so
    // the response hook cannot count it. Counted here, by the status it is answered with.
    if (denied.error.principal) this.recordResponse(denied.error.principal, denied.error.status, denied.address);
    const at = new Date(this.now()).toISOString();
    this.addDenial({
      credentialType: principal.credentialType,
      credentialId: principal.credentialId,
      subject: principal.subject,
      reason: denied.error.reason,
      count: 1,
      firstAt: at,
      lastAt: at,
      samples: [
        {
          address: denied.address.slice(0, USAGE_REPORT_LIMITS.maxAddressLength),
          method: denied.method,
          path: denied.path.slice(0, USAGE_REPORT_LIMITS.maxPathLength),
        },
      ],
    });
  }

  /**
   * Sends what has accumulated until now (after any flush still running), in reports of bounded
   * size; keeps what could not be delivered for the next attempt.
   */
  flush(): Promise<void> {
    this.unfinishedFlushes += 1;
    const sent = this.lastFlush.then(() => this.send());
    this.lastFlush = sent.catch(() => undefined).finally(() => (this.unfinishedFlushes -= 1));
    return sent;
  }

  private async send(): Promise<void> {
    const reports = this.drain();
    for (const [index, report] of reports.entries()) {
      const undelivered = await this.deliver(report);
      if (undelivered.length > 0) {
        for (const kept of [...undelivered, ...reports.slice(index + 1)]) this.requeue(kept);
        return;
      }
    }
    if (reports.length > 0) this.droppingReported = false;
  }

  /** Sends one report; returns what must wait for the next attempt. */
  private async deliver(report: UsageReport): Promise<UsageReport[]> {
    let response: Response;
    try {
      response = await this.post(await this.options.authorizationServer.usageEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(report),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      this.options.onError?.(error);
      return [report];
    }
    void response.body?.cancel().catch(() => undefined);
    const status = response.status;
    if (status < 300) return [];
    if (status >= 500 || RETRIED_CLIENT_ERRORS.has(status)) {
      this.options.onError?.(new Error(`the auth-server answered ${status} to a usage report`));
      return [report];
    }
    const halves = status === 413 ? halve(report) : undefined;
    if (halves) {
      const undelivered = await this.deliver(halves[0]);
      return undelivered.length > 0 ? [...undelivered, halves[1]] : this.deliver(halves[1]);
    }
    this.drop(requestsIn(report), `the auth-server refused a usage report (${status}); its records are dropped`);
    return [];
  }

  /** Takes everything pending, cut into reports that stay under the byte and entry bounds. */
  private drain(): UsageReport[] {
    const reports: UsageReport[] = [];
    let report: UsageReport = { uses: [], denials: [] };
    let bytes = JSON.stringify(report).length;
    const add = <K extends keyof UsageReport>(kind: K, entry: UsageReport[K][number]) => {
      const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
      if (
        report[kind].length >= USAGE_REPORT_LIMITS.maxEntries ||
        (bytes + size > MAX_REPORT_BYTES && report.uses.length + report.denials.length > 0)
      ) {
        reports.push(report);
        report = { uses: [], denials: [] };
        bytes = JSON.stringify(report).length;
      }
      (report[kind] as UsageReport[K][number][]).push(entry);
      bytes += size;
    };
    for (const use of this.uses.values()) add('uses', reportOf(use));
    for (const denial of this.denials.values()) add('denials', denial);
    if (report.uses.length + report.denials.length > 0) reports.push(report);
    this.uses = new Map();
    this.denials = new Map();
    return reports;
  }

  private requeue(report: UsageReport): void {
    for (const use of report.uses) this.addUse(pendingOf(use));
    for (const denial of report.denials) this.addDenial(denial);
  }

  /** Adds a use to what is pending (merging with the same credential, day and status class). */
  private addUse(use: PendingUse): void {
    const key = useKey(use);
    const known = this.uses.get(key);
    if (!known) {
      if (this.admit(use.count)) this.uses.set(key, use);
      return;
    }
    mergeUse(known, use.count, use.lastUsedAtMs, use.lastUsedAddress);
  }

  /** Adds a refusal to what is pending (merging with the same credential and reason). */
  private addDenial(denial: CredentialDenialReport): void {
    const key = denialKey(denial);
    const known = this.denials.get(key);
    if (!known) {
      if (this.admit(denial.count)) this.denials.set(key, { ...denial, samples: [...denial.samples] });
      return;
    }
    known.count = Math.min(known.count + denial.count, USAGE_REPORT_LIMITS.maxCount);
    if (denial.firstAt < known.firstAt) known.firstAt = denial.firstAt;
    if (denial.lastAt > known.lastAt) known.lastAt = denial.lastAt;
    for (const sample of denial.samples) {
      if (known.samples.length >= USAGE_REPORT_LIMITS.maxSamples) break;
      if (
        !known.samples.some((s) => s.address === sample.address && s.method === sample.method && s.path === sample.path)
      )
        known.samples.push(sample);
    }
  }

  /** Whether a new entry fits in memory; counts the requests it stands for as dropped if not. */
  private admit(requests: number): boolean {
    if (this.uses.size + this.denials.size < this.maxPending) return true;
    this.drop(
      requests,
      `the usage queue is full (${this.maxPending} entries); usage and refusals are dropped until a report gets through`,
    );
    return false;
  }

  private drop(requests: number, reason: string): void {
    this.dropped += requests;
    if (this.droppingReported) return;
    this.droppingReported = true;
    this.options.onDropped?.(reason);
  }
}

/** The report cut in two, or undefined when it holds a single entry. */
function halve(report: UsageReport): [UsageReport, UsageReport] | undefined {
  const entries = report.uses.length + report.denials.length;
  if (entries < 2) return undefined;
  const uses = Math.min(Math.ceil(entries / 2), report.uses.length);
  const denials = Math.ceil(entries / 2) - uses;
  return [
    { uses: report.uses.slice(0, uses), denials: report.denials.slice(0, denials) },
    { uses: report.uses.slice(uses), denials: report.denials.slice(denials) },
  ];
}
