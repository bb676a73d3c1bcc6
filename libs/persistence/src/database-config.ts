import { redactUrlPassword } from '@tollgate/platform';
import { join, resolve } from 'node:path';

export type DatabaseConfig = { type: 'sqlite'; file: string } | { type: 'postgres'; url: string };

/** `sqlite:<file>` or `postgres://…`; when unset, the embedded default (a SQLite file). */
export function databaseFromUrl(url: string | undefined, defaultSqliteFile: string): DatabaseConfig {
  if (!url) return { type: 'sqlite', file: resolve(defaultSqliteFile) };
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return { type: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
  }
  return { type: 'postgres', url };
}

/** What an app's configuration keeps of its DatabaseEnv variables (see @tollgate/platform). */
export interface DatabaseSettings {
  dataDir: string;
  database: DatabaseConfig;
}

/** DATA_DIR resolved, and the database DATABASE_URL names (by default `sqliteFile` in DATA_DIR). */
export function databaseSettings(
  values: { DATA_DIR: string; DATABASE_URL?: string },
  sqliteFile: string,
): DatabaseSettings {
  const dataDir = resolve(values.DATA_DIR);
  return { dataDir, database: databaseFromUrl(values.DATABASE_URL, join(dataDir, sqliteFile)) };
}

/** A connection string with the password hidden, for logs (even one a URL parser would refuse). */
export function describeDatabase(config: DatabaseConfig): string {
  return config.type === 'sqlite' ? `SQLite ${config.file}` : `PostgreSQL ${redactUrlPassword(config.url)}`;
}
