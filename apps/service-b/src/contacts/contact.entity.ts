import { TimestampColumn } from '@tollgate/persistence';
import type { CredentialType } from '@tollgate/verifier';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A person in the CRM. */
@Entity('contacts')
@Index('idx_contacts_created_at_id', ['createdAt', 'id'])
export class ContactEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** `name` in NFC, lower-cased: substring search is case-insensitive on SQLite too (whose LOWER() is ASCII-only). */
  @Column({ type: 'text' })
  nameNormalized: string;

  /** As given by the client. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** `email` in NFC, lower-cased: unique and searched case-insensitively. Text, as lower-casing can lengthen a string. */
  @Index('uq_contacts_email_normalized', { unique: true })
  @Column({ type: 'text' })
  emailNormalized: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  company: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  phone: string | null;

  @Column({ type: 'simple-json', nullable: true })
  tags: string[] | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  notes: string | null;

  /** `sub` of the credential that created the contact (client, user or API consumer); null when unknown. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  createdBySubject: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  createdByCredentialType: CredentialType | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
