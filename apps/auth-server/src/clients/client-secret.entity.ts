import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ClientEntity } from './client.entity.js';

/** One of a client's secrets; several may be valid at once while a rotation overlaps. */
@Entity('client_secrets')
export class ClientSecretEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_client_secrets_client')
  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  @ManyToOne(() => ClientEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'clientId', foreignKeyConstraintName: 'fk_client_secrets_client' })
  client?: ClientEntity;

  /** SHA-256 of the whole secret; the secret itself is never stored. */
  @Index('uq_client_secrets_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ type: 'varchar', length: 24 })
  displayPrefix: string;

  @TimestampColumn({ nullable: true })
  expiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  lastUsedAt: Date | null;
}
