import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseConfig } from './database-config.js';
import { runMigrationsExclusively } from './run-migrations.js';
import { widenSerialColumns } from './serial-primary-column.js';

export interface DataSourceOptions {
  database: DatabaseConfig;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Name of the table that records applied migrations (one per app sharing a database). */
  migrationsTableName: string;
  /** Runs after the migrations, under the same lock: one-time setup that must not race (first keys, bootstrap rows). */
  afterMigrations?: (dataSource: DataSource) => Promise<void>;
}

let postgresTimestampsInUtc = false;

/**
 * Timestamps are `timestamp` columns on PostgreSQL and `datetime` on SQLite (TypeORM's mapping of
 * `Date`), so they must be written and read as UTC whatever the process or server time zone.
 */
function usePostgresTimestampsInUtc(): void {
  if (postgresTimestampsInUtc) return;
  pg.defaults.parseInputDatesAsUTC = true;
  pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (value) => new Date(`${value}Z`));
  postgresTimestampsInUtc = true;
}

function typeormOptions(options: DataSourceOptions) {
  const common = {
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: options.migrationsTableName,
    synchronize: false,
    migrationsRun: false,
  };
  if (options.database.type === 'sqlite') {
    if (options.database.file !== ':memory:') mkdirSync(dirname(options.database.file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3' as const,
      database: options.database.file,
      enableWAL: true,
      timeout: 10_000,
      // With WAL, synchronous=NORMAL syncs at checkpoints instead of at every commit: a commit
      // survives the process crashing (it is in the OS), and the database is never corrupted; only
      // a power loss can undo the last commits. SQLite's recommended setting for WAL, and it keeps
      // fsync off the event loop of every request that writes (better-sqlite3 is synchronous).
      prepareDatabase: (db: { pragma: (statement: string) => unknown }) => {
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  usePostgresTimestampsInUtc();
  return { ...common, type: 'postgres' as const, url: options.database.url, extra: { options: '-c TimeZone=UTC', max: 10 } };
}

/** Opens the database and brings its schema up to date (migrations under a lock, never `synchronize`). */
export async function openDatabase(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(typeormOptions(options));
  await dataSource.initialize();
  widenSerialColumns(dataSource);
  try {
    await runMigrationsExclusively(dataSource, options.database, options.afterMigrations);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/** SQL statements that would still be needed to make the schema match the entities (empty when migrations are complete). */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}
