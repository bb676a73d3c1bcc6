import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A contact of the CRM (service-b) as it stands in service-a's audience. */
@Entity('audience_members')
export class AudienceMemberEntity {
  /** The contact's id in service-b. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  contactId: string;

  @Index('idx_audience_members_email')
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  company: string | null;

  /** The contact's `updatedAt` in service-b, to tell changed contacts from unchanged ones. */
  @TimestampColumn()
  crmUpdatedAt: Date;

  /** When a sync first brought the contact into the audience. */
  @TimestampColumn()
  addedAt: Date;

  /** When a sync last changed this member. */
  @TimestampColumn()
  updatedAt: Date;

  /** When a sync last found the contact in the CRM. */
  @TimestampColumn()
  syncedAt: Date;
}
