import { TimestampColumn } from '@tollgate/persistence';
import type { ApiKeyEnvironment } from '@tollgate/credentials';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiConsumerEntity } from './api-consumer.entity.js';

export interface ApiKeyGrant {
  /** Resource indicator. */
  resource: string;
  scopes: string[];
}

/** An API key of a consumer: a fixed permission set, optionally limited by address, rate and time. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_api_keys_consumer')
  @Column({ type: 'varchar', length: 36 })
  consumerId: string;

  @ManyToOne(() => ApiConsumerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'consumerId', foreignKeyConstraintName: 'fk_api_keys_consumer' })
  consumer?: ApiConsumerEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  environment: ApiKeyEnvironment;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Index('uq_api_keys_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  keyHash: string;

  @Column({ type: 'varchar', length: 24 })
  displayPrefix: string;

  @Column({ type: 'simple-json' })
  grants: ApiKeyGrant[];

  @Column({ type: 'simple-json', nullable: true })
  ipAllowlist: string[] | null;

  @Column({ type: 'simple-json', nullable: true })
  rateLimit: { requests: number; perSeconds: number } | null;

  /** The rate-limit bucket the key takes from: its own id, or, once rolled, its predecessor's bucket. */
  @Column({ type: 'varchar', length: 36 })
  rateLimitBucket: string;

  @TimestampColumn({ nullable: true })
  expiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  /** The actor who created (or rolled) the key, for the audit trail. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  createdBy: string | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  revokedReason: string | null;

  /** The key this one replaced when it was rolled, and the key that replaced it. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  rolledFromId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  rolledToId: string | null;

  @TimestampColumn({ nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  lastUsedAddress: string | null;
}
