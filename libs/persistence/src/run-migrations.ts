import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from './database-config.js';

const LOCK_WAIT_MS = 60_000;
const STALE_LOCK_MS = 120_000;

/**
 * Runs pending migrations so that several instances starting together apply each one exactly once:
 * a session advisory lock on PostgreSQL, an exclusive lock file next to a SQLite database.
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

async function withLockFile(path: string, work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(path)) rmSync(path, { force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for the migration lock ${path}`);
      else await sleep(50);
    }
  }
  try {
    await work();
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

function isStale(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}
