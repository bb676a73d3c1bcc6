export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditActor {
  type: 'client' | 'user' | 'system' | 'anonymous';
  id?: string | null;
  /** Where the actor's request came from; the event's own `address`, if given, takes precedence. */
  address?: string | null;
}

export interface AuditEventInput {
  action: string;
  outcome: AuditOutcome;
  actor: AuditActor;
  credential?: { type: string; id: string };
  address?: string | null;
  reason?: string;
  details?: Record<string, unknown>;
}

/**
 * The audit log as the shared pieces here (guards) write to it. AuditModule provides it (the
 * AuditService), so that common code imports no feature.
 */
export abstract class AuditLog {
  abstract record(event: AuditEventInput): Promise<void>;
  /** Fire and forget, for events that must not delay the caller (failures are logged). */
  abstract recordInBackground(event: AuditEventInput): void;
}
