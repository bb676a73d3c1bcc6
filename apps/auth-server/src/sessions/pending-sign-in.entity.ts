import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/** `second_factor`: the password was right, a second factor is due; `passkey`: a passkey sign-in waits for its answer. */
export type PendingSignInPurpose = 'second_factor' | 'passkey';

/**
 * A sign-in under way, bound to the browser by a cookie of its own (only its SHA-256 is stored).
 * It grants nothing: the guard reads session cookies only. Short-lived, with a few tries.
 */
@Entity('pending_sign_ins')
export class PendingSignInEntity {
  /** SHA-256 (base64url) of the cookie value. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  purpose: PendingSignInPurpose;

  /** Who gave the right password (`second_factor`); null for a passkey sign-in, which names its user when it answers. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_pending_sign_ins_user' })
  user?: UserEntity;

  /** Wrong second factors so far; the sign-in starts over at the limit. */
  @Column({ type: 'integer', default: 0 })
  failures: number;

  @TimestampColumn()
  createdAt: Date;

  @Index('idx_pending_sign_ins_expires_at')
  @TimestampColumn()
  expiresAt: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;
}
