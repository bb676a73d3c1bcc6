import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where audit events are sent as signed webhooks (Standard Webhooks): a URL, the events it wants,
 * and its signing secrets, sealed with the key-encryption key (they must be used, so they cannot be
 * hashed). During a rotation the previous secret signs too, until `previousSecretExpiresAt`.
 */
@Entity('webhook_endpoints')
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 200 })
  description: string;

  /** Audit actions: exact (`api-key.revoked`), a prefix (`api-key.*`), or `*` for all. */
  @Column({ type: 'simple-json' })
  events: string[];

  @Column({ type: 'text' })
  sealedSecret: string;

  @Column({ type: 'text', nullable: true })
  sealedPreviousSecret: string | null;

  @TimestampColumn({ nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
