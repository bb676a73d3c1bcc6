import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The audience synced from the CRM and the record of sync runs. */
export class Audience1764200000000 implements MigrationInterface {
  name = 'Audience1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audience_members',
        columns: [
          c.id('contactId'),
          c.varchar('email', 320),
          c.varchar('name', 255),
          c.varchar('company', 255, true),
          c.timestamp('crmUpdatedAt'),
          c.timestamp('addedAt'),
          c.timestamp('updatedAt'),
          c.timestamp('syncedAt'),
        ],
        indices: [new TableIndex({ name: 'idx_audience_members_email', columnNames: ['email'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sync_runs',
        columns: [
          c.serial(),
          c.varchar('trigger', 16),
          c.varchar('status', 16),
          c.timestamp('startedAt'),
          c.timestamp('finishedAt'),
          c.integer('total'),
          c.integer('added'),
          c.integer('updated'),
          c.integer('removed'),
          c.varchar('errorCode', 64, true),
          c.varchar('error', 1000, true),
        ],
        indices: [new TableIndex({ name: 'idx_sync_runs_status', columnNames: ['status'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sync_runs');
    await queryRunner.dropTable('audience_members');
  }
}
