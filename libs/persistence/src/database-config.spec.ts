import { describeDatabase } from './database-config.js';

describe(describeDatabase.name, () => {
  it.each([
    ['a PostgreSQL URL', 'postgres://app:hunter2@db:5432/app', 'PostgreSQL postgres://app:***@db:5432/app'],
    ['one a URL parser refuses (bad port)', 'postgres://app:hunter2@db:54x32/app', 'PostgreSQL postgres://app:***@db:54x32/app'],
    ['one without a password', 'postgres://app@db:5432/app', 'PostgreSQL postgres://app@db:5432/app'],
  ])('names %s without its password, for the startup line', (_case, url, expected) => {
    expect(describeDatabase({ type: 'postgres', url })).toBe(expected);
  });
});
