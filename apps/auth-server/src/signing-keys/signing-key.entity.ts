import { TimestampColumn } from '@tollgate/persistence';
import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** next → current → previous → retired: a key is published before it signs and after it stops. */
export type SigningKeyState = 'next' | 'current' | 'previous' | 'retired';
export type SigningAlg = 'ES256' | 'EdDSA';

@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 16 })
  alg: SigningAlg;

  @Column({ type: 'varchar', length: 16 })
  state: SigningKeyState;

  @Column({ type: 'simple-json' })
  publicJwk: JWK;

  /** The private JWK, AES-256-GCM encrypted with a key derived from KEY_ENCRYPTION_SECRET. */
  @Column({ type: 'text' })
  encryptedPrivateKey: string;

  @TimestampColumn()
  createdAt: Date;

  /** When it started signing. */
  @TimestampColumn({ nullable: true })
  activatedAt: Date | null;

  /** When it stopped signing; it stays published while tokens it signed may still be valid. */
  @TimestampColumn({ nullable: true })
  deactivatedAt: Date | null;

  /** When it left the JWKS. */
  @TimestampColumn({ nullable: true })
  retiredAt: Date | null;
}
