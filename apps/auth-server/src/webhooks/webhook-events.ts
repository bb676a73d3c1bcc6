import type { AuditRow } from '../audit/audit.repository.js';

/** An event filter: an exact audit action (`api-key.revoked`), a prefix (`api-key.*`), or `*`. */
export const EVENT_FILTER = /^(\*|[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?)$/;

/** Whether an endpoint that asked for `filters` wants an event of this action. */
export function wants(filters: readonly string[], action: string): boolean {
  return filters.some(
    (filter) =>
      filter === '*' || filter === action || (filter.endsWith('.*') && action.startsWith(filter.slice(0, -1))),
  );
}

/**
 * The message a webhook carries for one audit event (Standard Webhooks' `type`, `timestamp`,
 * `data`): the event as the audit log shows it. It never holds a secret, since audit events do not.
 */
export function webhookMessage(row: AuditRow): string {
  return JSON.stringify({
    type: row.action,
    timestamp: row.occurredAt.toISOString(),
    data: {
      action: row.action,
      outcome: row.outcome,
      occurredAt: row.occurredAt.toISOString(),
      actor: { type: row.actorType, id: row.actorId },
      credential: row.credentialType && row.credentialId ? { type: row.credentialType, id: row.credentialId } : null,
      address: row.address,
      reason: row.reason,
      details: row.details,
    },
  });
}
