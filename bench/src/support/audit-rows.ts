import Database from 'better-sqlite3';

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
