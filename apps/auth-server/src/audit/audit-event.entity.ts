import { PartitionedByRange, SerialPrimaryColumn, TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index } from 'typeorm';
import type { AuditOutcome } from '../common/audit-log.js';

/**
 * One append-only audit record: who did what to which credential, with what outcome, from where.
 * On PostgreSQL the table is partitioned by month of `occurredAt` (AuditPartitions1765500000000).
 */
@Entity('audit_events')
@PartitionedByRange('occurredAt')
export class AuditEventEntity {
  @SerialPrimaryColumn()
  id: number;

  @Index('idx_audit_events_occurred_at')
  @TimestampColumn()
  occurredAt: Date;

  /** Dotted verb, e.g. `token.issued`, `client.secret.rotated`, `client.auth.failed`. */
  @Index('idx_audit_events_action')
  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: AuditOutcome;

  /** `client`, `user`, `system` or `anonymous`. */
  @Column({ type: 'varchar', length: 16 })
  actorType: string;

  @Index('idx_audit_events_actor')
  @Column({ type: 'varchar', length: 128, nullable: true })
  actorId: string | null;

  /** `client`, `client_secret`, `access_token`, `signing_key`, `pat`, `api_key`, … */
  @Column({ type: 'varchar', length: 32, nullable: true })
  credentialType: string | null;

  @Index('idx_audit_events_credential')
  @Column({ type: 'varchar', length: 128, nullable: true })
  credentialId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  reason: string | null;

  @Column({ type: 'simple-json', nullable: true })
  details: object | null;
}
