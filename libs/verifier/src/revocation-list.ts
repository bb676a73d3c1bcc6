import type { Principal } from './principal.js';

export type SubjectKind = 'client' | 'user' | 'consumer';

/**
 * In-memory deny set checked after a credential's signature or introspection succeeded: revoked
 * JWT ids (kept until they would have expired), revoked credential ids, and "everything issued to
 * client/user/consumer X before T". Fed by the revocation feed; every check is a map lookup.
 */
export class RevocationList {
  private readonly tokens = new Map<string, number>();
  private readonly credentials = new Set<string>();
  private readonly issuedBefore = new Map<string, number>();

  revokeToken(jti: string, expiresAt: Date): void {
    this.tokens.set(jti, expiresAt.getTime());
  }

  revokeCredential(credentialId: string): void {
    this.credentials.add(credentialId);
  }

  revokeIssuedBefore(kind: SubjectKind, id: string, before: Date): void {
    const key = `${kind}:${id}`;
    this.issuedBefore.set(key, Math.max(this.issuedBefore.get(key) ?? 0, before.getTime()));
  }

  /** Why the principal's credential must be refused, or null. */
  reasonFor(principal: Principal): string | null {
    if (principal.credentialType === 'access_token' ? this.tokens.has(principal.credentialId) : this.credentials.has(principal.credentialId)) return 'revoked';
    if (this.issuedBefore.size === 0) return null;
    const issuedAt = principal.issuedAt?.getTime() ?? 0;
    for (const [kind, id] of [['client', principal.clientId], ['user', principal.userId], ['consumer', principal.consumerId]] as const) {
      if (id && issuedAt < (this.issuedBefore.get(`${kind}:${id}`) ?? 0)) return `${kind} credentials revoked`;
    }
    return null;
  }

  /** Forgets revoked tokens that have expired anyway. */
  prune(now = Date.now()): void {
    for (const [jti, expiresAt] of this.tokens) if (expiresAt < now) this.tokens.delete(jti);
  }
}
