import Database from 'better-sqlite3';
import pg from 'pg';

// The columns of the audit_events table (apps/auth-server/src/audit/audit-event.entity.ts); a schema
// change makes the insert fail loudly instead of filling a table the auth-server reads differently.
const AUDIT_COLUMNS = [
  'id',
  'occurredAt',
  'action',
  'outcome',
  'actorType',
  'actorId',
  'credentialType',
  'credentialId',
  'address',
  'reason',
  'details',
];

/**
 * Fills the audit_events table of a stopped auth-server's SQLite file up to `total` events, in one
 * transaction: copies of the newest stored event (as the auth-server wrote it), one a second apart,
 * so an export reads rows exactly like the real ones.
 */
export function insertAuditEvents(file: string, total: number): void {
  const db = new Database(file);
  try {
    const template = db.prepare('SELECT * FROM audit_events ORDER BY id DESC LIMIT 1').get() as
      Record<string, unknown> | undefined;
    if (!template) throw new Error(`${file}: make the auth-server audit something first (it is the template)`);
    const columns = Object.keys(template).sort();
    if (columns.join() !== [...AUDIT_COLUMNS].sort().join())
      throw new Error(`audit_events has columns ${columns.join(', ')}; expected ${AUDIT_COLUMNS.join(', ')}`);
    const existing = (db.prepare('SELECT COUNT(*) AS count FROM audit_events').get() as { count: number }).count;
    const fields = AUDIT_COLUMNS.filter((column) => column !== 'id');
    const insert = db.prepare(
      `INSERT INTO audit_events (${fields.map((field) => `"${field}"`).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`,
    );
    // TypeORM stores a SQLite datetime as UTC `YYYY-MM-DD HH:MM:SS.SSS`.
    const start = Date.parse(`${String(template.occurredAt).replace(' ', 'T')}Z`) - total * 1000;
    db.transaction(() => {
      for (let index = existing; index < total; index++) {
        const occurredAt = new Date(start + index * 1000).toISOString().replace('T', ' ').replace('Z', '');
        insert.run(fields.map((field) => (field === 'occurredAt' ? occurredAt : template[field])));
      }
    })();
  } finally {
    db.close();
  }
}

/** What a long-running deployment's log looks like: token issuances by 5,000 clients, each with its own token id. */
export interface AuditHistory {
  events: number;
  /** Spread evenly over this many days before now. */
  days: number;
}

/**
 * Fills a stopped auth-server's SQLite audit log with `events` issuances spread over the past
 * `days` (one statement): every index gets realistic keys (a random
 * credential id per event, 5,000 distinct clients), so an insert afterwards pays what it would in
 * a log that grew for real.
 */
export function fillAuditHistorySqlite(file: string, { events, days }: AuditHistory): void {
  const db = new Database(file);
  try {
    // One writer and a stopped server: no journal while filling (the random keys of a 10-million-row
    // index would otherwise go through SQLite's 2 MB page cache and a WAL many times the database).
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -2000000');
    const start = Date.now() / 1000 - days * 86_400;
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @events - 1)
       INSERT INTO audit_events ("occurredAt", "action", "outcome", "actorType", "actorId", "credentialType", "credentialId", "address", "reason", "details")
       SELECT strftime('%Y-%m-%d %H:%M:%f', @start + i * @step, 'unixepoch'), 'token.issued', 'success', 'client',
              'client-' || (i % 5000), 'access_token', lower(hex(randomblob(16))), '10.0.' || (i % 200) || '.' || (i % 250), NULL,
              '{"grantType":"client_credentials","resource":"https://crm.tollgate.local","scope":"contacts:read"}'
       FROM n`,
    ).run({ events, start, step: (days * 86_400) / events });
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

/**
 * The same history on PostgreSQL, in the partitions the auth-server would have made month by month
 * (audit_events_yYYYYmMM), then VACUUM ANALYZE so autovacuum does not run during the measurement.
 */
export async function fillAuditHistoryPostgres(url: string, { events, days }: AuditHistory): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const now = new Date();
    const first = new Date(now.getTime() - days * 86_400_000);
    for (
      let month = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1));
      month < now;
      month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))
    ) {
      const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
      const name = `audit_events_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
      const literal = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF audit_events FOR VALUES FROM ('${literal(month)}') TO ('${literal(next)}')`,
      );
    }
    await client.query(
      `INSERT INTO audit_events ("occurredAt", "action", "outcome", "actorType", "actorId", "credentialType", "credentialId", "address", "reason", "details")
       SELECT $1::timestamp + (i * $2::double precision) * interval '1 second', 'token.issued', 'success', 'client',
              'client-' || (i % 5000), 'access_token', md5(random()::text), '10.0.' || (i % 200) || '.' || (i % 250), NULL,
              '{"grantType":"client_credentials","resource":"https://crm.tollgate.local","scope":"contacts:read"}'
       FROM generate_series(0, $3::bigint - 1) AS i`,
      [first.toISOString().replace('T', ' ').replace('Z', ''), (days * 86_400) / events, events],
    );
    await client.query('VACUUM ANALYZE audit_events');
  } finally {
    await client.end();
  }
}
