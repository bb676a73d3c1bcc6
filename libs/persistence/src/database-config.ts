import { redactUrlPassword } from '@tollgate/platform';
import { resolve } from 'node:path';

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

/** A connection string with the password hidden, for logs (even one a URL parser would refuse). */
export function describeDatabase(config: DatabaseConfig): string {
  return config.type === 'sqlite' ? `SQLite ${config.file}` : `PostgreSQL ${redactUrlPassword(config.url)}`;
}
