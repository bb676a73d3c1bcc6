import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/** One of a person's recovery codes: shown once, stored as a SHA-256 hash, good for one sign-in. */
@Entity('recovery_codes')
export class RecoveryCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_recovery_codes_user')
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_recovery_codes_user' })
  user?: UserEntity;

  /** SHA-256 (base64url) of the code in its normal form (lower case, no separators). */
  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  @TimestampColumn({ nullable: true })
  usedAt: Date | null;

  @TimestampColumn()
  createdAt: Date;
}
