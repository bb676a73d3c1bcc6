import { ClientCredentialsTokenProvider, createAuthorizedFetch, type FetchFunction } from '@tollgate/m2m-client';
import type { DeniedRequest } from '../nest/credential.guard.js';
import type { Principal } from '../principal.js';

export interface UsageReporterOptions {
  issuer: string;
  /** This resource server's client at the auth-server, granted `usage:write` on the management API. */
  clientId: string;
  clientSecret: string;
  flushIntervalMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  onError?: (error: unknown) => void;
}

interface Use {
  credentialType: 'api_key' | 'pat';
  credentialId: string;
  day: string;
  statusClass: string;
  count: number;
  lastUsedAt: string;
  lastUsedAddress: string;
}

interface Denial {
  credentialType: string;
  credentialId: string;
  subject: string;
  reason: string;
  address: string;
  at: string;
  method: string;
  path: string;
}

const MAX_PENDING = 10_000;

/**
 * Counts requests per credential (by UTC day and status class), remembers the last use, and
 * collects refusals, then reports them to the auth-server in one batch every few seconds: usage
 * monitoring and "last used" without a database write on the request path. A failed report is kept
 * and retried with the next one (bounded).
 */
export class UsageReporter {
  private uses = new Map<string, Use>();
  private denials: Denial[] = [];
  private timer?: NodeJS.Timeout;
  private readonly post: FetchFunction;
  private readonly now: () => number;
  private flushing?: Promise<void>;

  constructor(private readonly options: UsageReporterOptions) {
    this.now = options.now ?? Date.now;
    const tokens = new ClientCredentialsTokenProvider({
      issuer: options.issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      resource: `${options.issuer}/api`,
      scope: 'usage:write',
      fetch: options.fetch,
    });
    this.post = createAuthorizedFetch(tokens, { fetch: options.fetch });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // A report already on its way holds only what was pending when it started: send the rest after it.
    await this.flushing;
    await this.flush();
  }

  /** A response was sent to a caller authenticated with a PAT or an API key. */
  recordResponse(principal: Principal, status: number, address: string): void {
    if (principal.credentialType !== 'api_key' && principal.credentialType !== 'pat') return;
    const at = new Date(this.now());
    const day = at.toISOString().slice(0, 10);
    const statusClass = `${Math.floor(status / 100)}xx`;
    const key = `${principal.credentialId}|${day}|${statusClass}`;
    const use = this.uses.get(key);
    if (use) {
      use.count += 1;
      use.lastUsedAt = at.toISOString();
      use.lastUsedAddress = address;
    } else if (this.uses.size < MAX_PENDING) {
      this.uses.set(key, { credentialType: principal.credentialType, credentialId: principal.credentialId, day, statusClass, count: 1, lastUsedAt: at.toISOString(), lastUsedAddress: address });
    }
  }

  /** A request whose credential was identified was refused (scope, address, rate limit). */
  recordDenial(denied: DeniedRequest): void {
    const principal = denied.principal;
    if (!principal || principal.credentialType === 'session' || this.denials.length >= MAX_PENDING) return;
    this.denials.push({
      credentialType: principal.credentialType,
      credentialId: principal.credentialId,
      subject: principal.subject,
      reason: denied.error.reason,
      address: denied.address,
      at: new Date(this.now()).toISOString(),
      method: denied.method,
      path: denied.path.slice(0, 200),
    });
  }

  /** Sends what has accumulated (one request); keeps it for the next attempt if that fails. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (this.uses.size === 0 && this.denials.length === 0) return;
    const uses = [...this.uses.values()];
    const denials = this.denials;
    this.uses = new Map();
    this.denials = [];
    try {
      const response = await this.post(`${this.options.issuer}/api/usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uses, denials }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`the auth-server answered ${response.status} to a usage report`);
    } catch (error) {
      this.requeue(uses, denials);
      this.options.onError?.(error);
    }
  }

  private requeue(uses: Use[], denials: Denial[]): void {
    for (const use of uses) {
      const key = `${use.credentialId}|${use.day}|${use.statusClass}`;
      const newer = this.uses.get(key);
      if (newer) newer.count += use.count;
      else if (this.uses.size < MAX_PENDING) this.uses.set(key, use);
    }
    this.denials = [...denials, ...this.denials].slice(0, MAX_PENDING);
  }
}
