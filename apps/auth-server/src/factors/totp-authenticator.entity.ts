import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/**
 * A person's authenticator app (TOTP, RFC 6238): its shared secret, sealed with the key-encryption
 * key (it must be used to check codes, so it cannot be hashed). Until `confirmedAt` it is being set
 * up and signs nobody in.
 */
@Entity('totp_authenticators')
export class TotpAuthenticatorEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_totp_authenticators_user' })
  user?: UserEntity;

  @Column({ type: 'text' })
  sealedSecret: string;

  @TimestampColumn({ nullable: true })
  confirmedAt: Date | null;

  /** The time step (Unix time / 30 s) of the last code accepted: a code of this step or before is a replay. */
  @Column({ type: 'integer', nullable: true })
  lastUsedStep: number | null;

  @TimestampColumn()
  createdAt: Date;
}
