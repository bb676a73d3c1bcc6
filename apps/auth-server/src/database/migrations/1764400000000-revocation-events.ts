import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The revocation feed's durable log. */
export class RevocationEvents1764400000000 implements MigrationInterface {
  name = 'RevocationEvents1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'revocation_events',
        columns: [c.serial(), c.varchar('type', 32), c.json('payload'), c.timestamp('occurredAt')],
        indices: [new TableIndex({ name: 'idx_revocation_events_occurred_at', columnNames: ['occurredAt'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revocation_events');
  }
}
