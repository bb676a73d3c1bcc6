import type { DatabaseConfig } from '@tollgate/persistence';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  config: DatabaseConfig;
  /** The same database as a DATABASE_URL value. */
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseKind {
  name: 'SQLite' | 'PostgreSQL';
  create(): Promise<TestDatabase>;
}

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-db-'));
  const file = join(dir, 'test.sqlite');
  return {
    config: { type: 'sqlite', file },
    url: `sqlite:${file}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh, empty PostgreSQL database on the server of TEST_DATABASE_URL, dropped afterwards. */
export async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `tollgate_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    config: { type: 'postgres', url: url.toString() },
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function testDatabases(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{ name: 'SQLite', create: createSqliteDatabase }];
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) kinds.push({ name: 'PostgreSQL', create: () => createPostgresDatabase(serverUrl) });
  return kinds;
}
