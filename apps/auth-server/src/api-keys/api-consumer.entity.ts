import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A registered API consumer: an application (e.g. a Zapier-like integration) that calls our APIs with API keys. */
@Entity('api_consumers')
export class ApiConsumerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Who to contact about this consumer (e.g. on a leak). */
  @Column({ type: 'varchar', length: 254 })
  contact: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  /** A disabled consumer's keys all stop working. */
  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
