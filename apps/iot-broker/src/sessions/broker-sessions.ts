import type { Client } from 'aedes';
import type { Logger } from '@tollgate/platform';
import { type DeviceSession, sessionOf } from './device-session.js';
import { ExpirySchedule } from './expiry-schedule.js';

/** Selects live sessions, e.g. for a revocation. */
export type SessionPredicate = (session: DeviceSession) => boolean;

/** Predicates for the revocations the auth-server announces. */
export const SessionMatch = {
  /** Sessions of one device (MQTT client id = token `sub`). */
  clientId:
    (clientId: string): SessionPredicate =>
    (session) =>
      session.clientId === clientId,
  /** Sessions opened with the token whose `jti` is given. */
  tokenId:
    (jti: string): SessionPredicate =>
    (session) =>
      session.principal.credentialId === jti,
  /** Sessions whose token was issued before `time`, optionally only those of one OAuth client (`client_id`). */
  issuedBefore:
    (time: Date, oauthClientId?: string): SessionPredicate =>
    (session) =>
      (oauthClientId === undefined || session.principal.clientId === oauthClientId) &&
      session.principal.issuedAt!.getTime() < time.getTime(),
};

/** What the broker tells about a live session (health endpoint, operators). */
export interface SessionSummary {
  clientId: string;
  oauthClientId?: string;
  tokenId: string;
  scopes: string[];
  remoteAddress: string;
  transport: string;
  connectedAt: string;
  expiresAt: string;
}

/**
 * The broker's live, authenticated sessions. Closes each one when its token expires, and closes on
 * demand every session a predicate selects: the entry point for the revocation feed.
 */
export class BrokerSessions {
  private readonly live = new Map<Client, DeviceSession>();
  private readonly now: () => number;
  private readonly expiries: ExpirySchedule<Client>;

  constructor(
    private readonly logger: Logger,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.expiries = new ExpirySchedule((client) => void this.end(client, 'token_expired'), this.now);
  }

  /** Starts tracking a client once aedes has registered it, until its token expires. */
  track(client: Client): void {
    const session = sessionOf(client);
    if (!session || this.live.has(client)) return;
    this.live.set(client, session);
    const expiresAt = session.principal.expiresAt!.getTime();
    if (expiresAt <= this.now()) void this.end(client, 'token_expired');
    else this.expiries.add(client, expiresAt);
  }

  untrack(client: Client): void {
    const session = this.live.get(client);
    if (!session) return;
    this.expiries.delete(client, session.principal.expiresAt!.getTime());
    this.live.delete(client);
  }

  get size(): number {
    return this.live.size;
  }

  summaries(): SessionSummary[] {
    return [...this.live.values()].map((session) => ({
      clientId: session.clientId,
      oauthClientId: session.principal.clientId,
      tokenId: session.principal.credentialId,
      scopes: [...session.principal.scopes],
      remoteAddress: session.peer.remoteAddress,
      transport: session.peer.transport,
      connectedAt: session.connectedAt.toISOString(),
      expiresAt: session.principal.expiresAt!.toISOString(),
    }));
  }

  /**
   * Closes every live session the predicate selects, without publishing their wills, and resolves
   * with how many were closed once their connections are down. Messages already queued for a
   * closed session stay queued; they are delivered only if the device comes back with a token that
   * still allows them.
   */
  async closeWhere(predicate: SessionPredicate, reason: string): Promise<number> {
    const selected = [...this.live].filter(([, session]) => predicate(session));
    await Promise.all(selected.map(([client]) => this.end(client, reason)));
    return selected.length;
  }

  private end(client: Client, reason: string): Promise<void> {
    const session = this.live.get(client);
    if (!session) return Promise.resolve();
    session.endedBy = reason;
    this.untrack(client);
    this.logger.info(
      { clientId: session.clientId, tokenId: session.principal.credentialId, reason },
      'session closed by the broker',
    );
    return new Promise((resolve) => client.close(() => resolve()));
  }
}
