import { openDatabase, pendingSchemaChanges } from '@tollgate/persistence';
import { testDatabases } from '../../../../test/support/test-databases.js';
import { SERVICE_A_ENTITIES, SERVICE_A_MIGRATIONS, SERVICE_A_MIGRATIONS_TABLE } from './service-a.schema.js';

describe('service-a schema', () => {
  it.each(testDatabases())('migrations produce exactly the entities’ schema on $name', async ({ create }) => {
    const database = await create();
    const sut = await openDatabase({
      database: database.config,
      entities: SERVICE_A_ENTITIES,
      migrations: SERVICE_A_MIGRATIONS,
      migrationsTableName: SERVICE_A_MIGRATIONS_TABLE,
    });
    try {
      expect(await pendingSchemaChanges(sut)).toEqual([]);
    } finally {
      await sut.destroy();
      await database.drop();
    }
  });

  it.each(testDatabases())(
    'applies each migration once when two instances start together on $name',
    async ({ create }) => {
      const database = await create();
      const options = {
        database: database.config,
        entities: SERVICE_A_ENTITIES,
        migrations: SERVICE_A_MIGRATIONS,
        migrationsTableName: SERVICE_A_MIGRATIONS_TABLE,
      };
      const [a, b] = await Promise.all([openDatabase(options), openDatabase(options)]);
      try {
        expect(await a.query(`SELECT name FROM ${SERVICE_A_MIGRATIONS_TABLE}`)).toEqual([
          { name: 'Audience1764200000000' },
        ]);
      } finally {
        await Promise.all([a.destroy(), b.destroy()]);
        await database.drop();
      }
    },
  );
});
