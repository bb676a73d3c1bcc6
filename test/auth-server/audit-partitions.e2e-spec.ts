import { ManualClock } from '@tollgate/platform';
import pg from 'pg';
import { AuditPartitionsRepository } from '../../apps/auth-server/src/audit/audit-partitions.repository.js';
import { AuditRetention } from '../../apps/auth-server/src/audit/audit-retention.js';
import { AuditService } from '../../apps/auth-server/src/audit/audit.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { createPostgresDatabase } from '../support/test-databases.js';

const serverUrl = process.env.TEST_DATABASE_URL;
const DAY_MS = 86_400_000;

/** `audit_events_y2026m12` for any instant in December 2026 (UTC). */
const partitionOf = (at: number | Date) => {
  const date = new Date(at);
  return `audit_events_y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
};
const monthsFrom = (at: number, months: number) => {
  const date = new Date(at);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 15);
};

/** Issue 16 item 4: on PostgreSQL the audit log is partitioned by month, so inserts stay flat and retention drops months. */
describe.runIf(serverUrl)('audit log partitions on PostgreSQL', () => {
  let auth: AuthServerHarness;
  let clock: ManualClock;
  let sql: pg.Client;
  let databaseUrl: string;
  const start = Date.now();

  beforeAll(async () => {
    clock = new ManualClock(start);
    const database = await createPostgresDatabase(serverUrl!);
    auth = await AuthServerHarness.start({ clock, database });
    databaseUrl = database.url;
    sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await auth?.stop();
  });

  const partitions = async () =>
    (
      await sql.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`,
      )
    ).rows.map(({ name }) => name);
  const countIn = async (table: string, action: string) =>
    Number((await sql.query(`SELECT count(*) AS n FROM "${table}" WHERE action = $1`, [action])).rows[0].n);
  const listed = async (action: string) => (await auth.api('GET', `/api/audit?action=${action}&limit=200`)).body.items;
  const recordAt = (at: number, action: string, count: number) => {
    clock.set(at);
    return Promise.all(
      Array.from({ length: count }, () =>
        auth.app.get(AuditService).record({ action, outcome: 'success', actor: { type: 'system' } }),
      ),
    );
  };

  it('is partitioned by month: this month and the next two ready, and a default partition for anything else', async () => {
    const { rows } = await sql.query(`SELECT relkind FROM pg_class WHERE relname = 'audit_events'`);
    expect(rows).toEqual([{ relkind: 'p' }]);
    expect(await partitions()).toEqual(
      expect.arrayContaining([
        'audit_events_default',
        partitionOf(start),
        partitionOf(monthsFrom(start, 1)),
        partitionOf(monthsFrom(start, 2)),
      ]),
    );
    await auth.api('GET', '/api/audit');
    const admin = await listed('token.issued');
    expect(admin.length).toBeGreaterThan(0);
    expect(await countIn(partitionOf(start), 'token.issued')).toBe(admin.length);
  });

  it('keeps an event of a month without a partition in the default one, and moves it into its month when that is made, while writers go on', async () => {
    const month = monthsFrom(start, -6);
    await recordAt(month, 'test.early', 20);
    expect(await partitions()).not.toContain(partitionOf(month));
    expect(await countIn('audit_events_default', 'test.early')).toBe(20);

    // The maintenance runs at that month (its clock says so) while 50 more of its events are written.
    const [, made] = await Promise.all([
      recordAt(month, 'test.early', 50),
      auth.app.get(AuditPartitionsRepository).prepare(new Date(month)),
    ]);
    await recordAt(month, 'test.early', 5);
    clock.set(start);

    expect(made).toEqual([partitionOf(month), partitionOf(monthsFrom(month, 1)), partitionOf(monthsFrom(month, 2))]);
    expect(await countIn('audit_events_default', 'test.early')).toBe(0);
    expect(await countIn(partitionOf(month), 'test.early')).toBe(75);
    const events = await listed('test.early');
    expect(events).toHaveLength(75);
    expect(new Set(events.map(({ id }: { id: number }) => id)).size).toBe(75);
  });

  it('stores an event routed to the default partition while its month is being attached (the insert is routed again)', async () => {
    const month = monthsFrom(start, -12);
    const name = partitionOf(month);
    const from = new Date(Date.UTC(new Date(month).getUTCFullYear(), new Date(month).getUTCMonth(), 1));
    const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
    // Another instance making the month, held open at the point where the insert has already been routed.
    const other = new pg.Client({ connectionString: databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE audit_events_default IN ACCESS EXCLUSIVE MODE');
      const recorded = recordAt(month, 'test.routed', 1);
      // The insert waits for the default partition, where it was routed (its month has no partition yet).
      await vi.waitFor(async () => {
        const { rows } = await sql.query(
          `SELECT count(*) AS n FROM pg_locks WHERE relation = 'audit_events_default'::regclass AND NOT granted`,
        );
        expect(Number(rows[0].n)).toBe(1);
      });
      await other.query(`CREATE TABLE "${name}" (LIKE audit_events INCLUDING DEFAULTS)`);
      await other.query(
        `ALTER TABLE audit_events ATTACH PARTITION "${name}" FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
      await other.query('COMMIT');
      await recorded;
    } finally {
      await other.end();
      clock.set(start);
    }
    expect(await countIn(name, 'test.routed')).toBe(1);
    expect(await countIn('audit_events_default', 'test.routed')).toBe(0);
  });

  it('makes a month once when two auth-servers make it at the same moment', async () => {
    const month = new Date(monthsFrom(start, -9));
    const manager = auth.app.get(AuditPartitionsRepository);
    const [first, second] = await Promise.all([manager.prepare(month), manager.prepare(month)]);
    expect([...first, ...second].sort()).toEqual(
      [
        partitionOf(month),
        partitionOf(monthsFrom(month.getTime(), 1)),
        partitionOf(monthsFrom(month.getTime(), 2)),
      ].sort(),
    );
    expect((await partitions()).filter((name) => name === partitionOf(month))).toHaveLength(1);
  });

  it('drops the months wholly past retention, deletes the older events of the month that straddles it, keeps the rest, and audits it', async () => {
    const cutoff = start - 400 * DAY_MS;
    const expiredMonth = cutoff - 45 * DAY_MS;
    await auth.app.get(AuditPartitionsRepository).prepare(new Date(expiredMonth));
    await recordAt(expiredMonth, 'test.retained', 30);
    await recordAt(cutoff - 3_600_000, 'test.retained', 4);
    await recordAt(cutoff + 3_600_000, 'test.kept', 2);
    clock.set(start);

    const deleted = await auth.app.get(AuditRetention).purge();

    expect(deleted).toBe(34);
    expect(await partitions()).not.toContain(partitionOf(expiredMonth));
    expect(await listed('test.retained')).toEqual([]);
    expect(await listed('test.kept')).toHaveLength(2);
    expect(await listed('test.early')).toHaveLength(75);
    const [purge] = await listed('audit.retention.purged');
    expect(purge).toMatchObject({ details: { deleted: 34, retentionDays: 400 } });
    expect(purge.details.partitionsDropped).toContain(partitionOf(expiredMonth));
    expect(await auth.app.get(AuditRetention).purge()).toBe(0);
  });

  it('drops a month once when two auth-servers purge at the same moment, counting its events once', async () => {
    const month = monthsFrom(start, -20);
    const manager = auth.app.get(AuditPartitionsRepository);
    await manager.prepare(new Date(month));
    await recordAt(month, 'test.twice', 7);
    clock.set(start);

    const before = new Date(monthsFrom(start, -18));
    const [first, second] = await Promise.all([manager.dropMonthsBefore(before), manager.dropMonthsBefore(before)]);

    expect([...first, ...second].filter(({ name }) => name === partitionOf(month))).toEqual([
      { name: partitionOf(month), events: 7 },
    ]);
    expect(await partitions()).not.toContain(partitionOf(month));
    expect(await listed('test.twice')).toEqual([]);
  });
});
