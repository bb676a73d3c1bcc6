import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseConfig } from './database-config.js';
import { databaseOpenError, isDatabaseUnavailable, isStorageFailure } from './database-errors.js';
import { runMigrationsExclusively } from './run-migrations.js';
import { includePartitionKeys } from './partitioned-by-range.js';
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

/** A connection (new, or from a full pool) that is not obtained within this time fails: a request answers 503, it does not hang. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long a boot waits for a PostgreSQL server that refuses or does not answer (still starting, say). */
const BOOT_WAIT_MS = 10_000;

/**
 * TypeOrmModule options for a data source from openDatabase, which waits for a starting database
 * itself, for a bounded time, and explains what failed: TypeOrmModule must not retry it again (its
 * loop logs a stack per attempt and multiplies the wait).
 */
export const OPEN_DATABASE_MODULE_OPTIONS = { toRetry: () => false };

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
  return {
    ...common,
    type: 'postgres' as const,
    url: options.database.url,
    extra: { options: '-c TimeZone=UTC', max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true },
  };
}

/**
 * Opens the database and brings its schema up to date (migrations under a lock, never `synchronize`).
 * A PostgreSQL server that refuses or does not answer is waited for, for 10 s; then, or
 * when the data folder cannot be written, the error names DATABASE_URL or DATA_DIR.
 */
export async function openDatabase(options: DataSourceOptions): Promise<DataSource> {
  const deadline = Date.now() + BOOT_WAIT_MS;
  for (;;) {
    try {
      return await openDatabaseOnce(options);
    } catch (error) {
      if (!(error instanceof DatabaseOpenFailure)) throw error;
      if (options.database.type === 'postgres' && worthWaitingFor(error.cause) && Date.now() < deadline) {
        await sleep(1_000);
        continue;
      }
      throw databaseOpenError(error.cause, options.database);
    }
  }
}

/** A server that is down or starting is worth waiting for; a wrong password (SQLSTATE class 28) or database name (3D000) is not. */
function worthWaitingFor(error: unknown): boolean {
  return isDatabaseUnavailable(error) && !/^(28|3D000)/.test(String((error as { code?: unknown } | null)?.code ?? ''));
}

/** The database could not be reached, created or written (as opposed to a failing migration or setup step). */
class DatabaseOpenFailure extends Error {}

async function openDatabaseOnce(options: DataSourceOptions): Promise<DataSource> {
  let dataSource: DataSource;
  try {
    dataSource = new DataSource(typeormOptions(options));
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseOpenFailure('open', { cause: error });
  }
  widenSerialColumns(dataSource);
  includePartitionKeys(dataSource);
  try {
    await runMigrationsExclusively(dataSource, options.database, options.afterMigrations);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw isDatabaseUnavailable(error) || isStorageFailure(error)
      ? new DatabaseOpenFailure('migrate', { cause: error })
      : error;
  }
  return dataSource;
}

/** SQL statements that would still be needed to make the schema match the entities (empty when migrations are complete). */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}
