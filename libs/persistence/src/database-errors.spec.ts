import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { freePort } from '../../../test/support/free-port.js';
import { createPostgresDatabase } from '../../../test/support/test-databases.js';
import { databaseOpenError, dataFolderError, isDatabaseUnavailable } from './database-errors.js';

/** The error `run` throws, wrapped as TypeORM wraps a failed query. */
function failedQuery(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return new QueryFailedError('query', [], error as Error);
  }
  throw new Error('expected the query to fail');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe(isDatabaseUnavailable.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-errors-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('recognises a SQLite file locked by another connection past its busy timeout (SQLITE_BUSY)', () => {
    const holder = new Database(join(dir, 'db.sqlite'));
    holder.exec('CREATE TABLE t (x INTEGER); BEGIN EXCLUSIVE');
    const sut = new Database(join(dir, 'db.sqlite'), { timeout: 0 });
    try {
      expect(isDatabaseUnavailable(failedQuery(() => sut.exec('INSERT INTO t VALUES (1)')))).toBe(true);
    } finally {
      sut.close();
      holder.close();
    }
  });

  it('recognises a SQLite database opened read-only (SQLITE_READONLY) and one that cannot be opened (SQLITE_CANTOPEN)', () => {
    new Database(join(dir, 'db.sqlite')).exec('CREATE TABLE t (x INTEGER)');
    const readOnly = new Database(join(dir, 'db.sqlite'), { readonly: true });
    try {
      expect(isDatabaseUnavailable(failedQuery(() => readOnly.exec('INSERT INTO t VALUES (1)')))).toBe(true);
    } finally {
      readOnly.close();
    }
    // A folder where the database file should be.
    expect(isDatabaseUnavailable(failedQuery(() => new Database(dir)))).toBe(true);
  });

  it('does not take a wrong query, a constraint or a programming error for an outage', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER UNIQUE)');
    db.exec('INSERT INTO t VALUES (1)');
    expect(isDatabaseUnavailable(failedQuery(() => db.exec('INSERT INTO t VALUES (1)')))).toBe(false);
    expect(isDatabaseUnavailable(failedQuery(() => db.exec('SELEC 1')))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('recognises a PostgreSQL server that refuses connections (ECONNREFUSED, also as AggregateError)', async () => {
    const port = await freePort();
    const error = await rejection(new pg.Client({ host: '127.0.0.1', port }).connect());
    expect(isDatabaseUnavailable(error)).toBe(true);
    const both = new AggregateError(
      [Object.assign(new Error('connect ECONNREFUSED ::1'), { code: 'ECONNREFUSED' })],
      'connect failed',
    );
    expect(isDatabaseUnavailable(both)).toBe(true);
  });

  describe.runIf(process.env.TEST_DATABASE_URL)('on PostgreSQL', () => {
    it('recognises a terminated backend (57P01), a database refusing connections (FATAL), and not a wrong query', async () => {
      const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const victim = new pg.Client({ connectionString: database.url });
      victim.on('error', () => undefined);
      await victim.connect();
      try {
        expect(
          isDatabaseUnavailable(
            new QueryFailedError('SELEC 1', [], (await rejection(victim.query('SELEC 1'))) as Error),
          ),
        ).toBe(false);
        const { rows } = await victim.query('SELECT pg_backend_pid() AS pid');
        const running = rejection(victim.query('SELECT pg_sleep(30)'));
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        expect(isDatabaseUnavailable(new QueryFailedError('SELECT pg_sleep(30)', [], (await running) as Error))).toBe(
          true,
        );

        const name = new URL(database.url).pathname.slice(1);
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        expect(
          isDatabaseUnavailable(await rejection(new pg.Client({ connectionString: database.url }).connect())),
        ).toBe(true);
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      } finally {
        await victim.end().catch(() => undefined);
        await admin.end();
        await database.drop();
      }
    });
  });
});

describe(databaseOpenError.name, () => {
  it('names DATABASE_URL for PostgreSQL, without the password', () => {
    const error = databaseOpenError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      { type: 'postgres', url: 'postgres://tollgate:hunter2@db.example:5432/tollgate' },
    );
    expect(error.message).toBe(
      'Cannot use the database at PostgreSQL postgres://tollgate:***@db.example:5432/tollgate (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('names DATA_DIR for a SQLite file, and says what is wrong with the folder', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(databaseOpenError(full, { type: 'sqlite', file: '/data/auth-server.sqlite' }).message).toBe(
      'Cannot write /data/auth-server.sqlite: no space is left on the device. Set DATA_DIR (or DATABASE_URL) to a writable folder with free space.',
    );
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/data'"), { code: 'EACCES' });
    expect(databaseOpenError(denied, { type: 'sqlite', file: '/data/x.sqlite' }).message).toContain(
      '/data/x.sqlite: permission denied.',
    );
    const corrupt = Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
    expect(databaseOpenError(corrupt, { type: 'sqlite', file: '/data/x.sqlite' }).message).toBe(
      'Cannot open the SQLite database /data/x.sqlite (DATA_DIR or DATABASE_URL): file is not a database',
    );
  });

  it('leaves errors that are not about the data folder as they are', () => {
    const error = new Error('unrelated');
    expect(dataFolderError(error, '/data/x', 'DATA_DIR')).toBe(error);
  });
});
