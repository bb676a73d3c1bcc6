import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person invited to an API consumer: they manage its keys in the developer portal, within its limits. */
@Entity('consumer_members')
export class ConsumerMemberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  consumerId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  userId: string;

  /** Who invited them (an admin's user or client id). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  invitedBy: string | null;

  @TimestampColumn()
  createdAt: Date;
}
