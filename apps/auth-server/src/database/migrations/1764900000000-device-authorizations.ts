import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The device authorization grant (RFC 8628): its requests (a CLI's sign-in, a device's pairing), and
 * how a PAT was issued (`pats.issuedVia`).
 */
export class DeviceAuthorizations1764900000000 implements MigrationInterface {
  name = 'DeviceAuthorizations1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'device_authorizations',
        columns: [
          c.id(),
          c.varchar('deviceCodeHash', 64),
          c.varchar('userCodeHash', 64),
          c.varchar('clientId', 64),
          c.varchar('resource', 255),
          c.json('requestedScopes'),
          c.json('grantedScopes', true),
          c.varchar('status', 16),
          c.varchar('userId', 36, true),
          c.varchar('deviceId', 64, true),
          c.json('deviceJwk', true),
          c.varchar('controllerId', 64, true),
          c.varchar('patId', 36, true),
          c.integer('interval'),
          c.timestamp('lastPolledAt', true),
          c.varchar('requestAddress', 64, true),
          c.timestamp('createdAt'),
          c.timestamp('expiresAt'),
          c.timestamp('decidedAt', true),
        ],
        indices: [
          new TableIndex({
            name: 'uq_device_authorizations_device_code',
            columnNames: ['deviceCodeHash'],
            isUnique: true,
          }),
          new TableIndex({ name: 'uq_device_authorizations_user_code', columnNames: ['userCodeHash'], isUnique: true }),
          new TableIndex({ name: 'idx_device_authorizations_expires_at', columnNames: ['expiresAt'] }),
        ],
      }),
    );
    await queryRunner.addColumn('pats', new TableColumn(c.varchar('issuedVia', 32, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('pats', 'issuedVia');
    await queryRunner.dropTable('device_authorizations');
  }
}
