import { randomUUID } from 'node:crypto';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger } from '../support/memory-logger.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';
import { testDatabases } from '../support/test-databases.js';

const FLOOD = 1_600;
const ALLOWED = 5;
const NORMAL = 40;

/** Runs `count` calls of `request`, `concurrency` at a time; returns how often each status came back. */
async function hammer(
  count: number,
  concurrency: number,
  request: () => Promise<number>,
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started += 1;
        const status = await request();
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/**
 * Usage flooding: one integration hammers service-b past its key's rate limit while another uses
 * its key normally. Every refusal used to travel to the auth-server as one row of one report, which
 * grew past the body limit (100 KiB) after about 1,500 refusals, was answered 413, re-queued whole
 * and refused again forever: the other key's last use and every later refusal were lost.
 */
describe.each(testDatabases())('abuse: usage flooding through service-b on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  const { logger, logs } = memoryLogger('service-b');

  async function issueKey(
    consumerId: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; key: string }> {
    const response = await auth.api('POST', `/api/consumers/${consumerId}/keys`, {
      name: 'flood test',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      ...extra,
    });
    expect(response.status).toBe(201);
    return { id: response.body.id, key: response.body.key };
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ database: await create() });
    crm = await ServiceBHarness.start(auth, { overrides: { logger } });
  });
  afterAll(async () => {
    await crm?.stop();
    await auth?.stop();
  });

  it('delivers the other key’s usage and the flood’s refusals, aggregated, with nothing dropped', async () => {
    const consumer = await auth.api('POST', '/api/consumers', {
      name: `flood-${randomUUID()}`,
      contact: 'ops@example.com',
    });
    const flooder = await issueKey(consumer.body.id, { rateLimit: { requests: ALLOWED, perSeconds: 3600 } });
    const normal = await issueKey(consumer.body.id);

    const [flood, steady] = await Promise.all([
      hammer(FLOOD, 16, async () => (await crm.request('GET', '/contacts', { 'x-api-key': flooder.key })).status),
      hammer(NORMAL, 1, async () => (await crm.request('GET', '/contacts', { 'x-api-key': normal.key })).status),
    ]);
    expect(flood).toEqual({ 200: ALLOWED, 429: FLOOD - ALLOWED });
    expect(steady).toEqual({ 200: NORMAL });
    // Used again after the flood: this use travels with (or after) the flood's refusals.
    expect(
      await hammer(NORMAL, 1, async () => (await crm.request('GET', '/contacts', { 'x-api-key': normal.key })).status),
    ).toEqual({ 200: NORMAL });

    await eventually(
      async () => {
        const used = await auth.api('GET', `/api/keys/${normal.id}/usage`);
        expect(used.body).toMatchObject({
          totals: { '2xx': 2 * NORMAL },
          lastUsedAt: expect.any(String),
          lastUsedAddress: '127.0.0.1',
        });
        const flooded = await auth.api('GET', `/api/keys/${flooder.id}/usage`);
        expect(flooded.body.totals).toEqual({ '2xx': ALLOWED, '4xx': FLOOD - ALLOWED });
        const denied = await auth.api('GET', `/api/audit?action=api-key.use.denied&credential=${flooder.id}&limit=200`);
        expect(
          denied.body.items.every((event: any) => event.reason === 'rate_limited' && event.outcome === 'denied'),
        ).toBe(true);
        // One event per report and reason, each with its count, not one per refused request.
        expect(denied.body.items.length).toBeLessThan(50);
        expect(denied.body.items.reduce((sum: number, event: any) => sum + event.details.count, 0)).toBe(
          FLOOD - ALLOWED,
        );
      },
      45_000,
      250,
    );
    const denied = await auth.api('GET', `/api/audit?action=api-key.use.denied&credential=${flooder.id}&limit=1`);
    expect(denied.body.items[0]).toMatchObject({
      address: '127.0.0.1',
      details: {
        count: expect.any(Number),
        firstAt: expect.any(String),
        lastAt: expect.any(String),
        samples: [{ address: '127.0.0.1', method: 'GET', path: '/contacts' }],
      },
    });

    const health = await crm.request('GET', '/health');
    expect(health.body.authentication.usageReports).toEqual({ pending: 0, dropped: 0 });
    // No report failed or was refused, nothing was dropped.
    expect(logs.filter((line) => line.level >= 40 && /usage/.test(line.msg))).toEqual([]);
  }, 120_000);
});

/** The bound on what waits in memory: past it, records are dropped, counted, and logged once per burst. */
describe('abuse: usage flooding past the queue bound', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  const { logger, logs } = memoryLogger('service-b');

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    // Two records may wait; no report is sent until the test asks for one.
    crm = await ServiceBHarness.start(auth, {
      overrides: { logger, usageReports: { maxPending: 2, flushIntervalMs: 3_600_000 } },
    });
  });
  afterAll(async () => {
    await crm?.stop();
    await auth?.stop();
  });

  it('drops what does not fit, shows the count in /health and logs it once', async () => {
    const consumer = await auth.api('POST', '/api/consumers', {
      name: `bound-${randomUUID()}`,
      contact: 'ops@example.com',
    });
    const issued = await auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
      name: 'bounded',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      rateLimit: { requests: 1, perSeconds: 3600 },
    });
    const key = issued.body.key as string;
    const usageReports = async () => (await crm.request('GET', '/health')).body.authentication.usageReports;

    expect((await crm.request('GET', '/contacts', { 'x-api-key': key })).status).toBe(200);
    await eventually(async () => expect(await usageReports()).toEqual({ pending: 1, dropped: 0 }));
    const statuses = await hammer(
      299,
      8,
      async () => (await crm.request('GET', '/contacts', { 'x-api-key': key })).status,
    );
    expect(statuses).toEqual({ 429: 299 });

    // Waiting: the key's 2xx and 4xx counts. Each refusal's audit record found the queue full.
    expect(await usageReports()).toEqual({ pending: 2, dropped: 299 });
    const warnings = logs.filter((line) => line.level >= 40);
    expect(warnings).toEqual([expect.objectContaining({ msg: expect.stringContaining('usage queue is full') })]);

    await crm.app.get((await import('@tollgate/verifier')).ResourceServerVerification).usage!.flush();
    expect(await usageReports()).toEqual({ pending: 0, dropped: 299 });
    await eventually(
      async () =>
        expect((await auth.api('GET', `/api/keys/${issued.body.id}/usage`)).body.totals).toEqual({
          '2xx': 1,
          '4xx': 299,
        }),
      15_000,
    );
  }, 60_000);
});
