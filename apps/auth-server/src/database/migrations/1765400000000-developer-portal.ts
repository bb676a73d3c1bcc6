import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** The developer portal (issue 14): consumers opened to their developers, and who they invited. */
export class DeveloperPortal1765400000000 implements MigrationInterface {
  name = 'DeveloperPortal1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'consumer_portals',
        columns: [{ ...c.varchar('consumerId', 36), isPrimary: true }, c.json('limits'), c.timestamp('updatedAt')],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_consumer_portals_consumer',
            columnNames: ['consumerId'],
            referencedTableName: 'api_consumers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'consumer_members',
        columns: [
          { ...c.varchar('consumerId', 36), isPrimary: true },
          { ...c.varchar('userId', 36), isPrimary: true },
          c.varchar('invitedBy', 128, true),
          c.timestamp('createdAt'),
        ],
        indices: [new TableIndex({ name: 'idx_consumer_members_user', columnNames: ['userId'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_consumer_members_consumer',
            columnNames: ['consumerId'],
            referencedTableName: 'api_consumers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_consumer_members_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('consumer_members');
    await queryRunner.dropTable('consumer_portals');
  }
}
