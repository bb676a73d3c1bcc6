import { resolve } from 'node:path';
import { databaseSettings, describeDatabase } from './database-config.js';

describe(describeDatabase.name, () => {
  it.each([
    ['a PostgreSQL URL', 'postgres://app:hunter2@db:5432/app', 'PostgreSQL postgres://app:***@db:5432/app'],
    [
      'one a URL parser refuses (bad port)',
      'postgres://app:hunter2@db:54x32/app',
      'PostgreSQL postgres://app:***@db:54x32/app',
    ],
    ['one without a password', 'postgres://app@db:5432/app', 'PostgreSQL postgres://app@db:5432/app'],
  ])('names %s without its password, for the startup line', (_case, url, expected) => {
    expect(describeDatabase({ type: 'postgres', url })).toBe(expected);
  });
});

describe(databaseSettings.name, () => {
  it('defaults to a SQLite file in DATA_DIR, resolved', () => {
    expect(databaseSettings({ DATA_DIR: 'data/app' }, 'app.sqlite')).toEqual({
      dataDir: resolve('data/app'),
      database: { type: 'sqlite', file: resolve('data/app/app.sqlite') },
    });
  });

  it('takes the database DATABASE_URL names', () => {
    expect(databaseSettings({ DATA_DIR: '/var/lib/app', DATABASE_URL: 'postgres://app@db/app' }, 'app.sqlite')).toEqual(
      { dataDir: '/var/lib/app', database: { type: 'postgres', url: 'postgres://app@db/app' } },
    );
    expect(
      databaseSettings({ DATA_DIR: '/var/lib/app', DATABASE_URL: 'sqlite:/tmp/other.sqlite' }, 'app.sqlite').database,
    ).toEqual({ type: 'sqlite', file: '/tmp/other.sqlite' });
  });
});
