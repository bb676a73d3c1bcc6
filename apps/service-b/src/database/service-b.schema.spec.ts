import { openDatabase, pendingSchemaChanges } from '@tollgate/persistence';
import { SERVICE_B_ENTITIES, SERVICE_B_MIGRATIONS, SERVICE_B_MIGRATIONS_TABLE } from './service-b.schema.js';
import { testDatabases } from '../../../../test/support/test-databases.js';

describe('service-b schema', () => {
  it.each(testDatabases())('migrations produce exactly the entities’ schema on $name', async ({ create }) => {
    const database = await create();
    const sut = await openDatabase({
      database: database.config,
      entities: SERVICE_B_ENTITIES,
      migrations: SERVICE_B_MIGRATIONS,
      migrationsTableName: SERVICE_B_MIGRATIONS_TABLE,
    });
    try {
      expect(await pendingSchemaChanges(sut)).toEqual([]);
    } finally {
      await sut.destroy();
      await database.drop();
    }
  });

  it.each(testDatabases())('migrations can be reverted and applied again on $name', async ({ create }) => {
    const database = await create();
    const sut = await openDatabase({
      database: database.config,
      entities: SERVICE_B_ENTITIES,
      migrations: SERVICE_B_MIGRATIONS,
      migrationsTableName: SERVICE_B_MIGRATIONS_TABLE,
    });
    try {
      await sut.undoLastMigration();
      expect(await sut.query(`SELECT name FROM ${SERVICE_B_MIGRATIONS_TABLE}`)).toEqual([]);
      await sut.runMigrations();
      expect(await pendingSchemaChanges(sut)).toEqual([]);
    } finally {
      await sut.destroy();
      await database.drop();
    }
  });
});
