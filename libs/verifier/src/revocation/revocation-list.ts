import type { Principal } from '../principal.js';

export type SubjectKind = 'client' | 'user' | 'consumer';

/** A revoked PAT or API key stays denied this long here, covering any in-flight introspection. */
const CREDENTIAL_DENY_MS = 10 * 60 * 1000;

/**
 * In-memory deny set checked after a credential's signature or introspection succeeded: revoked
 * JWT ids (kept until they would have expired), revoked PATs and API keys, "every JWT issued
 * to client/user/consumer X before T", "every JWT exchanged for PAT P, or for a PAT of user U,
 * before T", and retired signing keys. Fed by the revocation feed; every check is a map lookup.
 */
export class RevocationList {
  /**
   * Kids of retired signing keys, never forgotten: a stolen key can sign fresh tokens at any time,
   * and a stale copy of the JWKS (jose's cooldown, an HTTP cache) may still hold it. One per retirement.
   */
  private readonly retiredKeys = new Set<string>();
  private readonly tokens = new Map<string, number>();
  private readonly credentials = new Map<string, number>();
  private readonly issuedBefore = new Map<string, number>();
  private readonly exchangedBefore = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  revokeToken(jti: string, expiresAt: Date): void {
    this.tokens.set(jti, expiresAt.getTime());
  }

  revokeCredential(credentialId: string): void {
    this.credentials.set(credentialId, this.now());
  }

  retireKey(kid: string): void {
    this.retiredKeys.add(kid);
  }

  revokeIssuedBefore(kind: SubjectKind, id: string, before: Date): void {
    const key = `${kind}:${id}`;
    this.issuedBefore.set(key, Math.max(this.issuedBefore.get(key) ?? 0, before.getTime()));
  }

  /**
   * A JWT exchanged for a PAT (RFC 8693) carries the scopes the PAT granted when it was exchanged.
   * When the PAT or its owner's roles change, every JWT exchanged before is refused, so the client
   * exchanges again and gets the scopes that hold now, as the PAT itself does at its next use.
   */
  refuseExchangedBefore(kind: 'pat' | 'user', id: string, before: Date): void {
    const key = `${kind}:${id}`;
    this.exchangedBefore.set(key, Math.max(this.exchangedBefore.get(key) ?? 0, before.getTime()));
  }

  /**
   * Why the principal's credential must be refused, or null. "Issued before" rules apply to JWTs
   * only: a PAT or API key of a re-enabled user or consumer works again (introspection decides).
   */
  reasonFor(principal: Principal): string | null {
    if (principal.keyId !== undefined && this.retiredKeys.has(principal.keyId)) return 'signing_key_retired';
    if (
      principal.credentialType === 'access_token'
        ? this.tokens.has(principal.credentialId)
        : this.credentials.has(principal.credentialId)
    )
      return 'revoked';
    if (principal.credentialType !== 'access_token') return null;
    const issuedAt = principal.issuedAt?.getTime() ?? 0;
    if (principal.patId) {
      if (this.credentials.has(principal.patId)) return 'pat_revoked';
      const changedAt = Math.max(
        this.exchangedBefore.get(`pat:${principal.patId}`) ?? 0,
        this.exchangedBefore.get(`user:${principal.userId}`) ?? 0,
      );
      if (issuedAt < changedAt) return 'pat_changed_since_exchange';
    }
    if (this.issuedBefore.size === 0) return null;
    for (const [kind, id] of [
      ['client', principal.clientId],
      ['user', principal.userId],
      ['consumer', principal.consumerId],
    ] as const) {
      if (id && issuedAt < (this.issuedBefore.get(`${kind}:${id}`) ?? 0)) return `${kind}_credentials_revoked`;
    }
    return null;
  }

  /** Forgets what can no longer matter: expired tokens, old credential denials, rules older than any live token. */
  prune(maxTokenLifetimeMs: number): void {
    const now = this.now();
    for (const [jti, expiresAt] of this.tokens) if (expiresAt < now) this.tokens.delete(jti);
    for (const [id, at] of this.credentials) if (now - at > CREDENTIAL_DENY_MS) this.credentials.delete(id);
    for (const rules of [this.issuedBefore, this.exchangedBefore])
      for (const [key, before] of rules) if (now - before > maxTokenLifetimeMs) rules.delete(key);
  }
}
