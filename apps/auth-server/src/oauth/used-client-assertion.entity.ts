import { TimestampColumn } from '@tollgate/persistence';
import { Entity, Index, PrimaryColumn } from 'typeorm';

/** A `private_key_jwt` assertion already accepted, kept until it expires to refuse replays (RFC 7523 §3). */
@Entity('used_client_assertions')
export class UsedClientAssertionEntity {
  /** `<client_id> <jti>` */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  id: string;

  @Index('idx_used_client_assertions_expires_at')
  @TimestampColumn()
  expiresAt: Date;
}
