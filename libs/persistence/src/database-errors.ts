import { type DatabaseConfig, describeDatabase } from './database-config.js';

// Network failures on the way to PostgreSQL (pg passes Node's socket errors through).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// PostgreSQL SQLSTATEs (Appendix A): class 08 connection exception, 57P01 admin_shutdown (a
// terminated backend), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting
// down), 53300 too_many_connections.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// pg's own messages for a connection that died or could not be obtained in time.
const PG_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;
// better-sqlite3 result codes (and their extended forms, e.g. SQLITE_IOERR_WRITE) meaning the file
// cannot be used right now: locked past the busy timeout, unopenable, I/O error, disk full, read-only.
const SQLITE_CODES = /^SQLITE_(BUSY|CANTOPEN|IOERR|FULL|READONLY)/;

function isUnavailableCode(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  return NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SQLITE_CODES.test(code);
}

/**
 * Whether an error means the database cannot be reached or used right now (a connection refused,
 * reset or timed out, a session the server ended, a locked, full or read-only SQLite file), as opposed
 * to a query that is wrong: the answer to the first is 503 with Retry-After, not 500. Looks through
 * TypeORM's QueryFailedError (`driverError`), `cause` and AggregateError (one error per address).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, severity, message, driverError, cause, errors } = current as {
      code?: unknown;
      severity?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    // FATAL and PANIC abort the session (PostgreSQL's message severity levels): whatever the code (a
    // database not accepting connections, too many clients, a terminated backend), it is gone.
    if (isUnavailableCode(code) || severity === 'FATAL' || severity === 'PANIC') return true;
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
    pending.push(driverError, cause, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}

// What a file-system error means, in words (Node's errno codes; SQLite's codes for the same).
const STORAGE_PROBLEMS: [RegExp, string][] = [
  [/^(EACCES|EPERM)$/, 'permission denied'],
  [/^EROFS$/, 'the file system is read-only'],
  [/^(ENOSPC|EDQUOT|SQLITE_FULL)/, 'no space is left on the device'],
  [/^ENOTDIR$/, 'a part of the path is a file, not a folder'],
  [/^EEXIST$/, 'a file is in the way of the folder'],
  [/^SQLITE_(CANTOPEN|READONLY)/, 'the file cannot be opened for writing'],
  [/^SQLITE_IOERR/, 'the disk reported an I/O error'],
];

function storageProblem(error: unknown): string | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  return STORAGE_PROBLEMS.find(([pattern]) => pattern.test(code))?.[1];
}

/** Whether an error is the file system refusing a write (permissions, read-only, full, a file in the way). */
export function isStorageFailure(error: unknown): boolean {
  return storageProblem(error) !== undefined;
}

/**
 * The error to stop a boot with when the data folder cannot be written (permissions, a read-only or
 * full disk, a file in the way): it names the path, the problem in words, and the setting to change.
 * Other errors are returned as they are.
 */
export function dataFolderError(error: unknown, path: string, setting: string): unknown {
  const problem = storageProblem(error);
  if (!problem) return error;
  return new Error(`Cannot write ${path}: ${problem}. Set ${setting} to a writable folder with free space.`, {
    cause: error,
  });
}

/**
 * The error to stop a boot with when the database cannot be opened: it names the setting to
 * change (DATA_DIR, or DATABASE_URL with its password hidden) and says what is wrong.
 */
export function databaseOpenError(error: unknown, config: DatabaseConfig): Error {
  const reason = error instanceof Error ? error.message : String(error);
  if (config.type === 'postgres')
    return new Error(`Cannot use the database at ${describeDatabase(config)} (DATABASE_URL): ${reason}`, {
      cause: error,
    });
  const explained = dataFolderError(error, config.file, 'DATA_DIR (or DATABASE_URL)');
  return explained instanceof Error && explained !== error
    ? explained
    : new Error(`Cannot open the SQLite database ${config.file} (DATA_DIR or DATABASE_URL): ${reason}`, {
        cause: error,
      });
}
