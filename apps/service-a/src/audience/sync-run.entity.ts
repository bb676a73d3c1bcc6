import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type SyncTrigger = 'manual' | 'schedule';
export type SyncStatus = 'ok' | 'failed';

/** One finished sync of the audience from the CRM, successful or not. */
@Entity('sync_runs')
export class SyncRunEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 16 })
  trigger: SyncTrigger;

  @Index('idx_sync_runs_status')
  @Column({ type: 'varchar', length: 16 })
  status: SyncStatus;

  @TimestampColumn()
  startedAt: Date;

  @TimestampColumn()
  finishedAt: Date;

  /** Contacts read from the CRM (0 when the sync failed before reading them all). */
  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer' })
  added: number;

  @Column({ type: 'integer' })
  updated: number;

  @Column({ type: 'integer' })
  removed: number;

  /** Stable code of the failure, e.g. `auth_server_unavailable`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  /** What went wrong, in words an operator understands. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;
}
