import type { Principal } from '@tollgate/verifier';
import type { AuditActor } from '../audit/audit.service.js';

/** The audit actor for a caller of the management API. */
export function actorOf(principal: Principal): AuditActor {
  if (principal.userId) return { type: 'user', id: principal.userId };
  if (principal.clientId) return { type: 'client', id: principal.clientId };
  return { type: 'client', id: principal.subject };
}
