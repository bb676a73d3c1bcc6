import { generateCredential, hashCredential, parseCredential } from '@tollgate/credentials';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

// The columns of apps/auth-server/src/database/migrations/1764300000000-api-keys.ts and
// 1764611000000-api-key-rate-limit-buckets.ts; a schema change
// makes the insert fail loudly instead of filling a table the auth-server reads differently.
const API_KEY_COLUMNS = [
  'id',
  'consumerId',
  'name',
  'environment',
  'keyHash',
  'displayPrefix',
  'grants',
  'ipAllowlist',
  'rateLimit',
  'rateLimitBucket',
  'expiresAt',
  'createdAt',
  'createdBy',
  'revokedAt',
  'revokedReason',
  'rolledFromId',
  'rolledToId',
  'lastUsedAt',
  'lastUsedAddress',
];
const CONSUMER_COLUMNS = ['id', 'name', 'contact', 'description', 'disabled', 'createdAt', 'updatedAt'];

export interface BulkKeys {
  /** Keys to have in the table in the end, counting those already there. */
  total: number;
  /** A new consumer for every this many keys, like integrations holding a few keys each. */
  keysPerConsumer: number;
  /** How many of the new keys to return in clear, spread evenly over the insertion order (so over the table's pages). */
  sampleSize: number;
}

/**
 * Fills the api_keys table of a stopped auth-server's SQLite file with real keys, in one
 * transaction: each is a freshly generated `tgk_live_…` credential stored exactly as the
 * auth-server stores one (hashCredential into the unique keyHash index, display prefix), copied
 * from a key issued through the management API (its grants, environment, timestamps format), under
 * consumers copied from that key's consumer. Returns the clear keys of the sample.
 */
export function insertApiKeys(file: string, { total, keysPerConsumer, sampleSize }: BulkKeys): string[] {
  const db = new Database(file);
  try {
    // Only this connection: a larger page cache makes a million random-order index inserts several times faster.
    db.pragma('cache_size = -262144');
    const templateKey = db.prepare('SELECT * FROM api_keys LIMIT 1').get() as Record<string, unknown> | undefined;
    if (!templateKey)
      throw new Error(`${file}: issue one API key through the management API first (it is the template)`);
    const templateConsumer = db
      .prepare('SELECT * FROM api_consumers WHERE id = ?')
      .get(templateKey.consumerId) as Record<string, unknown>;
    assertColumns('api_keys', Object.keys(templateKey), API_KEY_COLUMNS);
    assertColumns('api_consumers', Object.keys(templateConsumer), CONSUMER_COLUMNS);
    const existing = (db.prepare('SELECT COUNT(*) AS count FROM api_keys').get() as { count: number }).count;
    const count = total - existing;
    if (count < sampleSize) throw new Error(`${file}: ${count} keys to insert, fewer than the sample of ${sampleSize}`);

    const insertKey = db.prepare(
      `INSERT INTO api_keys (${API_KEY_COLUMNS.map(quote).join(', ')}) VALUES (${API_KEY_COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    const insertConsumer = db.prepare(
      `INSERT INTO api_consumers (${CONSUMER_COLUMNS.map(quote).join(', ')}) VALUES (${CONSUMER_COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    const stride = Math.floor(count / sampleSize);
    const sample: string[] = [];
    db.transaction(() => {
      let consumerId = '';
      for (let i = 0; i < count; i++) {
        if (i % keysPerConsumer === 0) {
          consumerId = randomUUID();
          insertConsumer.run({ ...templateConsumer, id: consumerId, name: `Integration ${i / keysPerConsumer + 1}` });
        }
        const key = generateCredential('api_key', { environment: 'live' });
        const id = randomUUID();
        insertKey.run({
          ...templateKey,
          id,
          rateLimitBucket: id,
          consumerId,
          name: `key ${i + 1}`,
          keyHash: hashCredential(key),
          displayPrefix: parseCredential(key)!.displayPrefix,
        });
        if (i % stride === 0 && sample.length < sampleSize) sample.push(key);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return sample;
  } finally {
    db.close();
  }
}

function assertColumns(table: string, actual: string[], expected: string[]): void {
  if (JSON.stringify([...actual].sort()) !== JSON.stringify([...expected].sort())) {
    throw new Error(
      `${table} has the columns ${actual.join(', ')}; the bulk insert knows ${expected.join(', ')} (update bench/src/support/api-key-rows.ts with the migration)`,
    );
  }
}

function quote(column: string): string {
  return `"${column}"`;
}
