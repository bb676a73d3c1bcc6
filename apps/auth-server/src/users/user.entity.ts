import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `person`: signs in to the console and creates their own PATs; `service_account`: cannot sign in, admins create its PATs. */
export type UserKind = 'person' | 'service_account';

/** A person or an organisation-owned service account; their permissions come from roles. */
@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Normalised (NFKC, trimmed, lower case); unique. */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 100 })
  displayName: string;

  @Column({ type: 'varchar', length: 16 })
  kind: UserKind;

  /** argon2id (PHC string); null for service accounts, which never sign in. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  /** Sessions started before this instant are refused (set when the password changes). */
  @TimestampColumn({ nullable: true })
  passwordChangedAt: Date | null;

  /**
   * When verifiers were last told the user changed (`subject.changed`: roles, a role's grants),
   * after which they refuse JWTs exchanged for the user's PATs (RFC 8693) dated before. A JWT
   * exchanged later is dated in a whole second after this instant (TokenExchangeGrant).
   */
  @TimestampColumn({ nullable: true })
  exchangedTokensValidAfter: Date | null;

  /** A disabled user cannot sign in, and their sessions and PATs are refused at once. */
  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @TimestampColumn({ nullable: true })
  lastLoginAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
