import { ManualClock } from '@tollgate/platform';
import { AuditRetention } from '../../apps/auth-server/src/audit/audit-retention.js';
import { AuditService } from '../../apps/auth-server/src/audit/audit.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.local';
const DAY_MS = 86_400_000;

/** Issue 16 item 4: the audit log leaves as a stream (JSON Lines or CSV), and does not grow forever. */
describe.each(testDatabases())('audit export and retention on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let clock: ManualClock;
  let reader: { id: string; secret: string };

  beforeAll(async () => {
    clock = new ManualClock();
    auth = await AuthServerHarness.start({ clock, database: await create() });
    await auth.createResource(CRM, ['contacts:read']);
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
  });
  afterAll(() => auth?.stop());

  const exportOf = async (query: string, token?: string | null) => {
    const bearer = token === undefined ? await auth.admin() : token;
    return fetch(`${auth.issuer}/api/audit/export${query}`, {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });
  };

  it('streams the events a filter selects as JSON Lines, oldest first, the same events the list gives', async () => {
    for (let i = 0; i < 3; i++) await auth.token(reader.id, reader.secret, { resource: CRM });
    const response = await exportOf(`?action=token.issued&actor=${reader.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="tollgate-audit.jsonl"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    const listed = (await auth.api('GET', `/api/audit?action=token.issued&actor=${reader.id}`)).body.items;
    expect(lines).toEqual([...listed].reverse());
  });

  it('exports CSV that a spreadsheet opens safely: quoted as RFC 4180 says, formulas defused', async () => {
    // A client id chosen by whoever calls the token endpoint lands in the audit log as it was sent.
    const hostile = '=HYPERLINK("http://evil.example","x"),2';
    const refused = await auth.tokenRequest({ grant_type: 'client_credentials' }, { id: hostile, secret: 'nope' });
    expect(refused.status).toBe(401);
    const response = await exportOf('?action=client.auth.failed&format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await response.text()).split('\r\n');
    expect(rows[0]).toBe(
      'id,occurredAt,action,outcome,actorType,actorId,credentialType,credentialId,address,reason,details',
    );
    const row = rows.find((line) => line.includes('HYPERLINK'))!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""x""),2"`);
    expect(row).toContain('client.auth.failed,failure,anonymous,');
  });

  it('stops at the newest event when it started, and reads a large log in batches without skipping or repeating', async () => {
    const audit = auth.app.get(AuditService);
    const before = (await (await exportOf('')).text()).trimEnd().split('\n').length;
    const events = Array.from({ length: 2_500 }, (_, index) =>
      audit.record({
        action: 'test.bulk',
        outcome: 'success',
        actor: { type: 'system' },
        details: { index },
      }),
    );
    await Promise.all(events);
    const lines = (await (await exportOf('?action=test.bulk')).text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((event) => event.details.index)).toEqual(Array.from({ length: 2_500 }, (_, index) => index));
    const ids = lines.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const all = (await (await exportOf('')).text()).trimEnd().split('\n');
    expect(all.length).toBeGreaterThanOrEqual(before + 2_500);
  });

  it('refuses without a credential (401), without the admin scope (403), and bad filters (400)', async () => {
    expect((await exportOf('', null)).status).toBe(401);
    const reporter = await auth.createClient({
      name: 'usage reporter',
      grants: [{ resource: auth.managementApi, scopes: ['usage:write'] }],
    });
    const notAdmin = await auth.token(reporter.id, reporter.secret, { resource: auth.managementApi });
    expect((await exportOf('', notAdmin)).status).toBe(403);
    // A token for another API is no credential here at all.
    expect((await exportOf('', await auth.token(reader.id, reader.secret, { resource: CRM }))).status).toBe(401);
    for (const query of ['?format=xml', '?since=yesterday', '?limit=10', '?action=DROP TABLE']) {
      const response = await exportOf(query);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('deletes events past AUDIT_RETENTION_DAYS (400 by default) in batches, keeps the rest, and audits the purge', async () => {
    const audit = auth.app.get(AuditService);
    const start = clock.now().getTime();
    clock.set(new Date(start - 401 * DAY_MS));
    await Promise.all(
      Array.from({ length: 12 }, () =>
        audit.record({ action: 'test.old', outcome: 'success', actor: { type: 'system' } }),
      ),
    );
    clock.set(new Date(start - 399 * DAY_MS));
    await audit.record({ action: 'test.recent', outcome: 'success', actor: { type: 'system' } });
    clock.set(new Date(start));

    const deleted = await auth.app.get(AuditRetention).purge();
    expect(deleted).toBe(12);
    expect((await auth.api('GET', '/api/audit?action=test.old')).body.items).toEqual([]);
    expect((await auth.api('GET', '/api/audit?action=test.recent')).body.items).toHaveLength(1);
    const [purge] = (await auth.api('GET', '/api/audit?action=audit.retention.purged')).body.items;
    expect(purge).toMatchObject({ actor: { type: 'system' }, details: { deleted: 12, retentionDays: 400 } });
    expect(await auth.app.get(AuditRetention).purge()).toBe(0);
  });
});
