import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

const userKey = (table: string) =>
  new TableForeignKey({
    name: `fk_${table}_user`,
    columnNames: ['userId'],
    referencedTableName: 'users',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * Console sign-in factors (issue 14): passkeys (WebAuthn), authenticator apps (TOTP), recovery
 * codes, the WebAuthn challenges in flight, sign-ins waiting for their second step, and when each
 * session last proved who its person is (re-authentication).
 */
export class SignInFactors1765300000000 implements MigrationInterface {
  name = 'SignInFactors1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.addColumn('sessions', new TableColumn(c.timestamp('authenticatedAt', true)));
    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          c.id(),
          c.varchar('userId', 36),
          c.varchar('credentialId', 1400),
          c.text('publicKey'),
          { name: 'signCount', type: 'bigint' },
          c.json('transports'),
          c.varchar('name', 100),
          c.boolean('backedUp', false),
          c.timestamp('createdAt'),
          c.timestamp('lastUsedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_passkeys_user', columnNames: ['userId'] }),
          new TableIndex({ name: 'uq_passkeys_credential', columnNames: ['credentialId'], isUnique: true }),
        ],
        foreignKeys: [userKey('passkeys')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'totp_authenticators',
        columns: [
          c.id('userId'),
          c.text('sealedSecret'),
          c.timestamp('confirmedAt', true),
          c.integer('lastUsedStep', true),
          c.timestamp('createdAt'),
        ],
        foreignKeys: [userKey('totp_authenticators')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          c.id(),
          c.varchar('userId', 36),
          c.varchar('codeHash', 64),
          c.timestamp('usedAt', true),
          c.timestamp('createdAt'),
        ],
        indices: [new TableIndex({ name: 'idx_recovery_codes_user', columnNames: ['userId'] })],
        foreignKeys: [userKey('recovery_codes')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webauthn_challenges',
        columns: [
          c.id('id', 64),
          c.varchar('ceremony', 16),
          c.varchar('boundTo', 64),
          c.varchar('userId', 36, true),
          c.timestamp('expiresAt'),
        ],
        indices: [new TableIndex({ name: 'idx_webauthn_challenges_expires_at', columnNames: ['expiresAt'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pending_sign_ins',
        columns: [
          c.id('id', 64),
          c.varchar('purpose', 16),
          c.varchar('userId', 36, true),
          { ...c.integer('failures'), default: 0 },
          c.timestamp('createdAt'),
          c.timestamp('expiresAt'),
          c.varchar('address', 64, true),
        ],
        indices: [new TableIndex({ name: 'idx_pending_sign_ins_expires_at', columnNames: ['expiresAt'] })],
        foreignKeys: [userKey('pending_sign_ins')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'pending_sign_ins',
      'webauthn_challenges',
      'recovery_codes',
      'totp_authenticators',
      'passkeys',
    ])
      await queryRunner.dropTable(table);
    await queryRunner.dropColumn('sessions', 'authenticatedAt');
  }
}
