import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/** A signed-in console session. The cookie carries the secret; only its SHA-256 is stored. */
@Entity('sessions')
export class SessionEntity {
  /** SHA-256 (base64url) of the cookie value. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Index('idx_sessions_user')
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_sessions_user' })
  user?: UserEntity;

  @TimestampColumn()
  createdAt: Date;

  /** When the person last proved who they are here: the sign-in, or a later re-authentication (null: at `createdAt`). */
  @TimestampColumn({ nullable: true })
  authenticatedAt: Date | null;

  /** Refreshed at most once a minute; the idle timeout counts from here. */
  @TimestampColumn()
  lastSeenAt: Date;

  /** Absolute expiry, whatever the activity. */
  @Index('idx_sessions_expires_at')
  @TimestampColumn()
  expiresAt: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  userAgent: string | null;
}
