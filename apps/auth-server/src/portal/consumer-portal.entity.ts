import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { ApiConsumerEntity } from '../api-keys/api-consumer.entity.js';

/** What the provider lets a consumer's own developers do with its keys (see portal-limits.ts). */
export interface PortalLimits {
  /** The scopes a key may hold, per resource: a key's grants must be within these. */
  grants: { resource: string; scopes: string[] }[];
  environments: ('live' | 'test')[];
  /** Active (neither expired nor revoked) keys at once. */
  maxActiveKeys: number;
  /** Every key is limited to at most this rate; a key asked for without a limit gets this one. */
  rateLimitCeiling: { requests: number; perSeconds: number } | null;
}

/** An API consumer opened to its developers (Unkey's portal, Stripe's dashboard): the limits they work within. */
@Entity('consumer_portals')
export class ConsumerPortalEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  consumerId: string;

  /** Goes with the consumer. */
  @OneToOne(() => ApiConsumerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'consumerId', foreignKeyConstraintName: 'fk_consumer_portals_consumer' })
  consumer?: ApiConsumerEntity;

  @Column({ type: 'simple-json' })
  limits: PortalLimits;

  @TimestampColumn()
  updatedAt: Date;
}
