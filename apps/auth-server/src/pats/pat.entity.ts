import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/**
 * A personal access token. The token itself is never stored: only its hash (unique, the lookup
 * key) and a display prefix. Revoked tokens keep their row (revokedAt) so that a later use of a
 * revoked token is recognised and audited as such.
 */
@Entity('pats')
@Index('uq_pats_user_active_name', ['userId', 'activeName'], { unique: true })
@Index('idx_pats_expires_at', ['expiresAt'])
export class PatEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_pats_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /**
   * The name while the token is not revoked, null after: unique per user, so names are unique among
   * a user's live tokens and a revoked token's name can be reused (NULLs never collide).
   */
  @Column({ type: 'varchar', length: 100, nullable: true })
  activeName: string | null;

  @Index('uq_pats_token_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 24 })
  displayPrefix: string;

  /** Scope ceiling; what the token grants at a resource is this ∩ the owner's scopes there at the time of use. */
  @Column({ type: 'simple-json' })
  scopes: string[];

  /** Resource indicators the token may be used at; empty: any. */
  @Column({ type: 'simple-json' })
  resources: string[];

  @TimestampColumn({ nullable: true })
  expiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  /** `user` (the owner, or an admin for a service account) or `client` (an M2M admin). */
  @Column({ type: 'varchar', length: 16 })
  createdByType: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  createdById: string | null;

  @TimestampColumn({ nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  lastUsedAddress: string | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  revocationReason: string | null;

  /** How it was issued when not by a person in account settings or an admin: `device_authorization` (a CLI sign-in, RFC 8628). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  issuedVia: string | null;

  /** Set by the one instance that sent the expiry warning (conditional update). */
  @TimestampColumn({ nullable: true })
  expiryWarnedAt: Date | null;
}
