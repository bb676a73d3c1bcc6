import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** Contacts, unique by lower-cased email, listed in creation order. */
export class Contacts1764200000000 implements MigrationInterface {
  name = 'Contacts1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'contacts',
        columns: [
          c.id(),
          c.varchar('name', 200),
          c.text('nameNormalized'),
          c.varchar('email', 254),
          c.text('emailNormalized'),
          c.varchar('company', 200, true),
          c.varchar('phone', 40, true),
          c.json('tags', true),
          c.varchar('notes', 2000, true),
          c.varchar('createdBySubject', 255, true),
          c.varchar('createdByCredentialType', 16, true),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_contacts_email_normalized', columnNames: ['emailNormalized'], isUnique: true }),
          new TableIndex({ name: 'idx_contacts_created_at_id', columnNames: ['createdAt', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contacts');
  }
}
