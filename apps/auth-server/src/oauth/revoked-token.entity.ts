import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A JWT access token revoked before its expiry (RFC 7009); kept until it would have expired. */
@Entity('revoked_tokens')
export class RevokedTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  jti: string;

  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  @Index('idx_revoked_tokens_expires_at')
  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn()
  revokedAt: Date;
}
