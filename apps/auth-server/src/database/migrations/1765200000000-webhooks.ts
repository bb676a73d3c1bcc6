import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Signed event webhooks (issue 16): endpoints, and each event's delivery to each of them. */
export class Webhooks1765200000000 implements MigrationInterface {
  name = 'Webhooks1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          c.id(),
          c.varchar('url', 2048),
          c.varchar('description', 200),
          c.json('events'),
          c.text('sealedSecret'),
          c.text('sealedPreviousSecret', true),
          c.timestamp('previousSecretExpiresAt', true),
          c.boolean('disabled', false),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          c.id(),
          c.varchar('endpointId', 36),
          c.varchar('eventType', 64),
          c.text('payload'),
          c.varchar('status', 16),
          { ...c.integer('attempts'), default: 0 },
          c.timestamp('nextAttemptAt'),
          c.integer('lastStatusCode', true),
          c.varchar('lastError', 255, true),
          c.timestamp('createdAt'),
          c.timestamp('deliveredAt', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_webhook_deliveries_due', columnNames: ['status', 'nextAttemptAt'] }),
          new TableIndex({ name: 'idx_webhook_deliveries_endpoint', columnNames: ['endpointId', 'createdAt'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_webhook_deliveries_endpoint',
            columnNames: ['endpointId'],
            referencedTableName: 'webhook_endpoints',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_deliveries');
    await queryRunner.dropTable('webhook_endpoints');
  }
}
