import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/** Users, roles, console sessions, personal access tokens, JWTs exchanged for them, runtime settings; clients that may exchange PATs (RFC 8693). */
export class UsersAndPats1764200000000 implements MigrationInterface {
  name = 'UsersAndPats1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.addColumn('clients', new TableColumn(c.boolean('allowTokenExchange', false)));
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.varchar('email', 254),
          c.varchar('displayName', 100),
          c.varchar('kind', 16),
          c.varchar('passwordHash', 255, true),
          c.timestamp('passwordChangedAt', true),
          c.boolean('disabled', false),
          c.timestamp('lastLoginAt', true),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_users_email', columnNames: ['email'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'roles',
        columns: [
          c.id(),
          c.varchar('name', 64),
          c.varchar('description', 255, true),
          c.boolean('system', false),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_roles_name', columnNames: ['name'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'role_grants',
        columns: [c.id(), c.varchar('roleId', 36), c.varchar('resourceId', 36), c.json('scopes')],
        indices: [
          new TableIndex({
            name: 'uq_role_grants_role_resource',
            columnNames: ['roleId', 'resourceId'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_role_grants_role',
            columnNames: ['roleId'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_role_grants_resource',
            columnNames: ['resourceId'],
            referencedTableName: 'resources',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'user_roles',
        columns: [c.id('userId'), c.id('roleId')],
        indices: [new TableIndex({ name: 'idx_user_roles_role', columnNames: ['roleId'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_user_roles_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_user_roles_role',
            columnNames: ['roleId'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          c.id('id', 64),
          c.varchar('userId', 36),
          c.timestamp('createdAt'),
          c.timestamp('lastSeenAt'),
          c.timestamp('expiresAt'),
          c.varchar('address', 64, true),
          c.varchar('userAgent', 255, true),
        ],
        indices: [
          new TableIndex({ name: 'idx_sessions_user', columnNames: ['userId'] }),
          new TableIndex({ name: 'idx_sessions_expires_at', columnNames: ['expiresAt'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_sessions_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pats',
        columns: [
          c.id(),
          c.varchar('userId', 36),
          c.varchar('name', 100),
          c.varchar('activeName', 100, true),
          c.varchar('tokenHash', 64),
          c.varchar('displayPrefix', 24),
          c.json('scopes'),
          c.json('resources'),
          c.timestamp('expiresAt', true),
          c.timestamp('createdAt'),
          c.varchar('createdByType', 16),
          c.varchar('createdById', 128, true),
          c.timestamp('lastUsedAt', true),
          c.varchar('lastUsedAddress', 64, true),
          c.timestamp('revokedAt', true),
          c.varchar('revocationReason', 255, true),
          c.timestamp('expiryWarnedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_pats_token_hash', columnNames: ['tokenHash'], isUnique: true }),
          new TableIndex({ name: 'uq_pats_user_active_name', columnNames: ['userId', 'activeName'], isUnique: true }),
          new TableIndex({ name: 'idx_pats_expires_at', columnNames: ['expiresAt'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_pats_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'exchanged_tokens',
        columns: [
          c.id('jti', 64),
          c.varchar('clientId', 64),
          c.varchar('subjectCredentialId', 36),
          c.timestamp('expiresAt'),
        ],
        indices: [
          new TableIndex({ name: 'idx_exchanged_tokens_subject_credential', columnNames: ['subjectCredentialId'] }),
          new TableIndex({ name: 'idx_exchanged_tokens_expires_at', columnNames: ['expiresAt'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settings',
        columns: [c.id('key', 64), c.json('value'), c.timestamp('updatedAt')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'settings',
      'exchanged_tokens',
      'pats',
      'sessions',
      'user_roles',
      'role_grants',
      'roles',
      'users',
    ]) {
      await queryRunner.dropTable(table);
    }
    await queryRunner.dropColumn('clients', 'allowTokenExchange');
  }
}
