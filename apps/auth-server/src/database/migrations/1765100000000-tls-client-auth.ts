import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * `tls_client_auth` clients (RFC 8705 §2.1, issue 13): the subject DN or SAN their CA-issued
 * certificate must carry, as `{ field, value }` JSON; null for every other method.
 */
export class TlsClientAuth1765100000000 implements MigrationInterface {
  name = 'TlsClientAuth1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('clients', new TableColumn(columns(queryRunner).json('tlsClientAuth', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('clients', 'tlsClientAuth');
  }
}
