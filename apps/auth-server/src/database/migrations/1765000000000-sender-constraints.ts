import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

const requiredBinding = () =>
  new TableColumn({ name: 'requiredBinding', type: 'varchar', length: '16', isNullable: false, default: "'none'" });

/**
 * Sender-constrained tokens (issue 13): a client or a resource may require its access tokens to be
 * bound to a key (`dpop`, RFC 9449); `none` keeps bearer tokens, as before.
 */
export class SenderConstraints1765000000000 implements MigrationInterface {
  name = 'SenderConstraints1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('clients', requiredBinding());
    await queryRunner.addColumn('resources', requiredBinding());
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('resources', 'requiredBinding');
    await queryRunner.dropColumn('clients', 'requiredBinding');
  }
}
