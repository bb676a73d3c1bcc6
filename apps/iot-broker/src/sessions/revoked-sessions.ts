import type { SequencedRevocationEvent } from '@tollgate/verifier';
import { type BrokerSessions, SessionMatch, type SessionPredicate } from './broker-sessions.js';

/** Which live sessions a revocation ends (null: none, e.g. an API key, which never opens a session). */
export function sessionsRevokedBy(event: SequencedRevocationEvent): SessionPredicate | null {
  switch (event.type) {
    case 'token.revoked':
      return SessionMatch.tokenId(event.jti);
    case 'subject.revoked_before':
      if (event.kind === 'client') return SessionMatch.issuedBefore(new Date(event.before), event.id);
      if (event.kind === 'user')
        return (session) =>
          session.principal.userId === event.id && session.principal.issuedAt!.getTime() < event.before;
      return null;
    case 'signing_key.retired':
      return (session) => session.principal.keyId === event.kid;
    // A JWT exchanged for a PAT (RFC 8693) narrows with it: refused once its PAT or owner changed (RevocationList).
    case 'credential.revoked':
      return event.credentialType === 'pat' ? (session) => session.principal.patId === event.credentialId : null;
    case 'credential.changed':
      return event.credentialType === 'pat'
        ? (session) =>
            session.principal.patId === event.credentialId && session.principal.issuedAt!.getTime() < event.at
        : null;
    case 'subject.changed':
      return event.kind === 'user'
        ? (session) =>
            session.principal.patId !== undefined &&
            session.principal.userId === event.id &&
            session.principal.issuedAt!.getTime() < event.at
        : null;
    default:
      return null;
  }
}

/** Ends, at once, every live session a revocation event concerns. */
export async function closeRevokedSessions(event: SequencedRevocationEvent, sessions: BrokerSessions): Promise<number> {
  const predicate = sessionsRevokedBy(event);
  return predicate ? sessions.closeWhere(predicate, `revoked (${event.type})`) : 0;
}
