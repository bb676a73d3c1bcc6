import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Resources, clients with their secrets and grants, signing keys, audit events, revoked JWTs and used client assertions. */
export class Foundation1764100000000 implements MigrationInterface {
  name = 'Foundation1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'resources',
        columns: [
          c.id(),
          c.varchar('indicator', 255),
          c.varchar('name', 100),
          c.json('scopes'),
          c.integer('accessTokenTtl'),
          c.boolean('system', false),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_resources_indicator', columnNames: ['indicator'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'clients',
        columns: [
          c.id('id', 64),
          c.varchar('name', 100),
          c.varchar('kind', 16),
          c.varchar('tokenEndpointAuthMethod', 32),
          c.json('jwks', true),
          c.boolean('disabled', false),
          c.timestamp('tokensValidAfter', true),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'client_secrets',
        columns: [
          c.id(),
          c.varchar('clientId', 64),
          c.varchar('secretHash', 64),
          c.varchar('displayPrefix', 24),
          c.timestamp('expiresAt', true),
          c.timestamp('createdAt'),
          c.timestamp('lastUsedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_client_secrets_client', columnNames: ['clientId'] }),
          new TableIndex({ name: 'uq_client_secrets_hash', columnNames: ['secretHash'], isUnique: true }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_client_secrets_client',
            columnNames: ['clientId'],
            referencedTableName: 'clients',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'client_grants',
        columns: [c.id(), c.varchar('clientId', 64), c.varchar('resourceId', 36), c.json('scopes')],
        indices: [
          new TableIndex({
            name: 'uq_client_grants_client_resource',
            columnNames: ['clientId', 'resourceId'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_client_grants_client',
            columnNames: ['clientId'],
            referencedTableName: 'clients',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_client_grants_resource',
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
        name: 'signing_keys',
        columns: [
          c.id('kid', 64),
          c.varchar('alg', 16),
          c.varchar('state', 16),
          c.json('publicJwk'),
          c.text('encryptedPrivateKey'),
          c.timestamp('createdAt'),
          c.timestamp('activatedAt', true),
          c.timestamp('deactivatedAt', true),
          c.timestamp('retiredAt', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          c.serial(),
          c.timestamp('occurredAt'),
          c.varchar('action', 64),
          c.varchar('outcome', 16),
          c.varchar('actorType', 16),
          c.varchar('actorId', 128, true),
          c.varchar('credentialType', 32, true),
          c.varchar('credentialId', 128, true),
          c.varchar('address', 64, true),
          c.varchar('reason', 255, true),
          c.json('details', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_audit_events_occurred_at', columnNames: ['occurredAt'] }),
          new TableIndex({ name: 'idx_audit_events_action', columnNames: ['action'] }),
          new TableIndex({ name: 'idx_audit_events_actor', columnNames: ['actorId'] }),
          new TableIndex({ name: 'idx_audit_events_credential', columnNames: ['credentialId'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'revoked_tokens',
        columns: [c.id('jti', 64), c.varchar('clientId', 64), c.timestamp('expiresAt'), c.timestamp('revokedAt')],
        indices: [new TableIndex({ name: 'idx_revoked_tokens_expires_at', columnNames: ['expiresAt'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'used_client_assertions',
        columns: [c.id('id', 200), c.timestamp('expiresAt')],
        indices: [new TableIndex({ name: 'idx_used_client_assertions_expires_at', columnNames: ['expiresAt'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'used_client_assertions',
      'revoked_tokens',
      'audit_events',
      'signing_keys',
      'client_grants',
      'client_secrets',
      'clients',
      'resources',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
