import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/** WebAuthn signature counters are unsigned 32-bit: past PostgreSQL's `integer`. */
const COUNTER = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * A person's passkey (a WebAuthn credential, discoverable): signs them in without a password, or
 * serves as the second factor after it. Only its public key is stored.
 */
@Entity('passkeys')
export class PasskeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_passkeys_user')
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_passkeys_user' })
  user?: UserEntity;

  /** The credential id (base64url, at most 1,023 bytes); unique across every user. */
  @Index('uq_passkeys_credential', { unique: true })
  @Column({ type: 'varchar', length: 1400 })
  credentialId: string;

  /** The COSE public key, base64url. */
  @Column({ type: 'text' })
  publicKey: string;

  /** The authenticator's signature counter at the last use (0 for authenticators that keep none). */
  @Column({ type: 'bigint', transformer: COUNTER })
  signCount: number;

  /** How the browser may reach the authenticator (`internal`, `hybrid`, `usb`…), as it reported at registration. */
  @Column({ type: 'simple-json' })
  transports: string[];

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Synced to the person's other devices (a multi-device credential that is backed up). */
  @Column({ type: 'boolean', default: false })
  backedUp: boolean;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  lastUsedAt: Date | null;
}
