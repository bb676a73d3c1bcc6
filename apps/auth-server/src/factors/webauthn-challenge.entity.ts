import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type WebAuthnCeremony = 'registration' | 'authentication';

/**
 * A WebAuthn challenge handed to a browser, kept server side until its answer comes back: single
 * use (deleted when answered), short-lived, and bound to what asked for it (the session, or the
 * pending sign-in's cookie), so an answer is accepted only from the browser that asked.
 */
@Entity('webauthn_challenges')
export class WebAuthnChallengeEntity {
  /** SHA-256 (base64url) of the challenge. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  ceremony: WebAuthnCeremony;

  /** The session id or the pending sign-in id that asked. */
  @Column({ type: 'varchar', length: 64 })
  boundTo: string;

  /** Whose passkey must answer (registration, a second factor, a re-authentication); null: any (passkey sign-in). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @Index('idx_webauthn_challenges_expires_at')
  @TimestampColumn()
  expiresAt: Date;
}
