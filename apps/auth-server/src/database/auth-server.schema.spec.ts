import { openDatabase, pendingSchemaChanges } from '@tollgate/persistence';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { ClientSecretEntity } from '../clients/client-secret.entity.js';
import { AUTH_SERVER_ENTITIES, AUTH_SERVER_MIGRATIONS } from './auth-server.schema.js';
import { BigintEventIds1764500000000 } from './migrations/1764500000000-bigint-event-ids.js';
import { ApiKeyRateLimitBuckets1764611000000 } from './migrations/1764611000000-api-key-rate-limit-buckets.js';
import { OperatorSecretLabels1764680000000 } from './migrations/1764680000000-operator-secret-labels.js';
import { AuditPartitions1765500000000 } from './migrations/1765500000000-audit-partitions.js';
import { testDatabases } from '../../../../test/support/test-databases.js';

describe('auth-server schema', () => {
  it.each(testDatabases())('migrations produce exactly the entities’ schema on $name', async ({ create }) => {
    const database = await create();
    const sut = await openDatabase({
      database: database.config,
      entities: AUTH_SERVER_ENTITIES,
      migrations: AUTH_SERVER_MIGRATIONS,
      migrationsTableName: 'auth_server_migrations',
    });
    try {
      expect(await pendingSchemaChanges(sut)).toEqual([]);
    } finally {
      await sut.destroy();
      await database.drop();
    }
  });

  it.each(testDatabases())(
    'widens event ids of a database that holds events, and can narrow them again, on $name',
    async ({ create }) => {
      const database = await create();
      const options = {
        database: database.config,
        entities: AUTH_SERVER_ENTITIES,
        migrationsTableName: 'auth_server_migrations',
      };
      const widening = AUTH_SERVER_MIGRATIONS.indexOf(BigintEventIds1764500000000);
      // A database from before the widening, with events in it.
      const before = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS.slice(0, widening) });
      await before
        .getRepository(AuditEventEntity)
        .insert({ occurredAt: new Date(), action: 'token.issued', outcome: 'success', actorType: 'client' });
      await before.destroy();
      const sut = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS });
      try {
        expect(await pendingSchemaChanges(sut)).toEqual([]);
        expect(await sut.getRepository(AuditEventEntity).find()).toEqual([
          expect.objectContaining({ id: 1, action: 'token.issued' }),
        ]);
        // Undone back to before the widening (the migrations after it first), then applied again.
        for (let applied = AUTH_SERVER_MIGRATIONS.length; applied > widening; applied--) await sut.undoLastMigration();
        await sut.runMigrations();
        expect(await pendingSchemaChanges(sut)).toEqual([]);
      } finally {
        await sut.destroy();
        await database.drop();
      }
    },
  );

  it.each(testDatabases())(
    'gives existing API keys a rate-limit bucket, a rolled key its predecessor’s, on $name',
    async ({ create }) => {
      const database = await create();
      const options = {
        database: database.config,
        entities: AUTH_SERVER_ENTITIES,
        migrationsTableName: 'auth_server_migrations',
      };
      const buckets = AUTH_SERVER_MIGRATIONS.indexOf(ApiKeyRateLimitBuckets1764611000000);
      // Keys from before the migration: one of its own, one rolled to another.
      const before = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS.slice(0, buckets) });
      await before.query(
        `INSERT INTO "api_consumers" ("id", "name", "contact", "disabled", "createdAt", "updatedAt") VALUES ('c', 'c', 'c@example.com', false, '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
      );
      const literal = (value: string | null) => (value === null ? 'NULL' : `'${value}'`);
      for (const [id, rolledFromId, rolledToId] of [
        ['alone', null, null],
        ['old', null, 'new'],
        ['new', 'old', null],
      ]) {
        await before.query(
          `INSERT INTO "api_keys" ("id", "consumerId", "name", "environment", "keyHash", "displayPrefix", "grants", "createdAt", "rolledFromId", "rolledToId") VALUES ('${id}', 'c', '${id}', 'live', '${id}', '${id}', '[]', '2026-01-01 00:00:00', ${literal(rolledFromId)}, ${literal(rolledToId)})`,
        );
      }
      await before.destroy();
      const sut = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS });
      try {
        const rows = await sut.getRepository(ApiKeyEntity).find({ order: { id: 'ASC' } });
        expect(rows.map((key) => [key.id, key.rateLimitBucket])).toEqual([
          ['alone', 'alone'],
          ['new', 'old'],
          ['old', 'old'],
        ]);
        expect(await pendingSchemaChanges(sut)).toEqual([]);
      } finally {
        await sut.destroy();
        await database.drop();
      }
    },
  );

  it.each(testDatabases())(
    'lists operator-chosen secrets stored with their first characters by a label instead, on $name',
    async ({ create }) => {
      const database = await create();
      const options = {
        database: database.config,
        entities: AUTH_SERVER_ENTITIES,
        migrationsTableName: 'auth_server_migrations',
      };
      const relabelling = AUTH_SERVER_MIGRATIONS.indexOf(OperatorSecretLabels1764680000000);
      const before = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS.slice(0, relabelling) });
      const now = new Date();
      // The table as it was then (columns added later are not there yet), so no entity insert.
      const columns = [
        'id',
        'name',
        'kind',
        'tokenEndpointAuthMethod',
        'disabled',
        'allowTokenExchange',
        'createdAt',
        'updatedAt',
      ];
      const placeholders = columns.map((_, index) => (before.options.type === 'postgres' ? `$${index + 1}` : '?'));
      await before.query(
        `INSERT INTO clients (${columns.map((column) => `"${column}"`).join(', ')}) VALUES (${placeholders.join(', ')})`,
        ['svc', 'svc', 'service', 'client_secret_basic', false, false, now.toISOString(), now.toISOString()],
      );
      const shown = { generated: 'tgs_Ab3x', bootstrap: 'bootstrap', chosen: 'hunt…' };
      for (const [id, displayPrefix] of Object.entries(shown)) {
        await before.getRepository(ClientSecretEntity).insert({
          id,
          clientId: 'svc',
          secretHash: `hash-${id}`,
          displayPrefix,
          expiresAt: null,
          createdAt: now,
          lastUsedAt: null,
        });
      }
      await before.destroy();
      const sut = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS });
      try {
        const rows = await sut.getRepository(ClientSecretEntity).find({ order: { id: 'ASC' } });
        expect(rows.map((row) => [row.id, row.displayPrefix])).toEqual([
          ['bootstrap', 'bootstrap'],
          ['chosen', '(operator-chosen)'],
          ['generated', 'tgs_Ab3x'],
        ]);
      } finally {
        await sut.destroy();
        await database.drop();
      }
    },
  );

  it.each(testDatabases().filter(({ name }) => name === 'PostgreSQL'))(
    'partitions an audit log that holds events by month, keeping every event and its id, on $name',
    async ({ create }) => {
      const database = await create();
      const options = {
        database: database.config,
        entities: AUTH_SERVER_ENTITIES,
        migrationsTableName: 'auth_server_migrations',
      };
      const partitioning = AUTH_SERVER_MIGRATIONS.indexOf(AuditPartitions1765500000000);
      const before = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS.slice(0, partitioning) });
      const now = new Date();
      const event = (monthsAgo: number, action: string) => ({
        occurredAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 10)),
        action,
        outcome: 'success' as const,
        actorType: 'system',
      });
      await before.getRepository(AuditEventEntity).insert([event(3, 'old'), event(1, 'recent'), event(0, 'now')]);
      await before.destroy();
      const sut = await openDatabase({ ...options, migrations: AUTH_SERVER_MIGRATIONS });
      try {
        expect(await pendingSchemaChanges(sut)).toEqual([]);
        const partitions = await sut.query(
          `SELECT c.relname AS name, (SELECT count(*)::int FROM audit_events e WHERE e.tableoid = c.oid) AS events FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`,
        );
        // The default partition (empty), four months from the oldest event's to this one's, and two ahead.
        expect(partitions).toHaveLength(7);
        expect(partitions[0].name).toBe('audit_events_default');
        expect(partitions.map(({ events }: { events: number }) => events)).toEqual([0, 1, 0, 1, 1, 0, 0]);
        const events = sut.getRepository(AuditEventEntity);
        expect((await events.find({ order: { id: 'ASC' } })).map(({ id, action }) => [id, action])).toEqual([
          [1, 'old'],
          [2, 'recent'],
          [3, 'now'],
        ]);
        await events.insert(event(0, 'after'));
        expect(await events.findOneByOrFail({ action: 'after' })).toMatchObject({ id: 4 });
      } finally {
        await sut.destroy();
        await database.drop();
      }
    },
  );

  it.each(testDatabases())(
    'applies each migration once when two instances start together on $name',
    async ({ create }) => {
      const database = await create();
      const options = {
        database: database.config,
        entities: AUTH_SERVER_ENTITIES,
        migrations: AUTH_SERVER_MIGRATIONS,
        migrationsTableName: 'auth_server_migrations',
      };
      const [a, b] = await Promise.all([openDatabase(options), openDatabase(options)]);
      try {
        expect(
          (await a.query('SELECT name FROM auth_server_migrations')).map((row: { name: string }) => row.name),
        ).toEqual(AUTH_SERVER_MIGRATIONS.map((m) => m.name));
      } finally {
        await Promise.all([a.destroy(), b.destroy()]);
        await database.drop();
      }
    },
  );
});
