import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from './database-config.js';

const LOCK_WAIT_MS = 60_000;

/**
 * Runs pending migrations so that several instances starting together apply each one exactly once:
 * a session advisory lock on PostgreSQL, an exclusive lock on a file next to a SQLite database.
 * Both locks are held by the operating system or the server for the process: a process that is
 * killed holding one releases it at once, so the next start never waits for a dead owner.
 */
export async function runMigrationsExclusively(
  dataSource: DataSource,
  database: DatabaseConfig,
  afterMigrations?: (dataSource: DataSource) => Promise<void>,
): Promise<void> {
  const work = async () => {
    await dataSource.runMigrations({ transaction: 'each' });
    await afterMigrations?.(dataSource);
  };
  if (database.type === 'postgres') return withAdvisoryLock(dataSource, work);
  if (database.file === ':memory:') return work();
  return withLockFile(`${database.file}.migrate.lock`, work);
}

async function withAdvisoryLock(dataSource: DataSource, work: () => Promise<void>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  // Key derived from the migrations table name, so apps sharing one database do not block each other.
  const key = `tollgate:${dataSource.options.migrationsTableName ?? 'migrations'}`;
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    await work();
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * An exclusive SQLite transaction on a separate lock file: SQLite takes it with a POSIX advisory
 * lock, which the kernel releases when its process dies, and which works between processes (and
 * containers) sharing the folder, and between connections of one process. The file stays: removing
 * it while another process waits on it would let a third lock a new file beside the first.
 */
async function withLockFile(path: string, work: () => Promise<void>): Promise<void> {
  const lock = new Database(path, { timeout: 0 });
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (error) {
        if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw error;
        if (Date.now() > deadline)
          throw new Error(`Timed out waiting for the migration lock ${path}, held by another process`, {
            cause: error,
          });
        await sleep(50);
      }
    }
    try {
      await work();
    } finally {
      lock.exec('ROLLBACK');
    }
  } finally {
    lock.close();
  }
}
