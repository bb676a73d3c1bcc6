import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A JWT issued by token exchange (RFC 8693), remembered until it expires so that revoking its subject credential revokes it too. */
@Entity('exchanged_tokens')
export class ExchangedTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  jti: string;

  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  /** The PAT it was exchanged for. */
  @Index('idx_exchanged_tokens_subject_credential')
  @Column({ type: 'varchar', length: 36 })
  subjectCredentialId: string;

  @Index('idx_exchanged_tokens_expires_at')
  @TimestampColumn()
  expiresAt: Date;
}
