import { SerialPrimaryColumn, TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index } from 'typeorm';

/** One entry of the revocation feed; its id orders the feed and is the SSE event id. */
@Entity('revocation_events')
export class RevocationEventEntity {
  @SerialPrimaryColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'simple-json' })
  payload: object;

  @Index('idx_revocation_events_occurred_at')
  @TimestampColumn()
  occurredAt: Date;
}
