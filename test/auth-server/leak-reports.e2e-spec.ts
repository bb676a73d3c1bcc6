import { AuthServerHarness } from '../support/auth-server.harness.js';

const garbage = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ token: `not-a-credential-${index}`, source: 'scanner' }));

/** POST /api/leaks is open to anyone, and each report costs a lookup: its limit counts reports, not requests. */
describe('leak report limit', () => {
  let server: AuthServerHarness;
  beforeAll(async () => {
    server = await AuthServerHarness.start();
  });
  afterAll(() => server.stop());

  it('counts every report of a batch: a full batch takes the minute’s allowance, the next batch waits', async () => {
    const full = await server.api('POST', '/api/leaks', garbage(100), null);
    expect({ status: full.status, body: full.body }).toEqual({ status: 202, body: { status: 'received', count: 100 } });

    const next = await server.api('POST', '/api/leaks', garbage(50), null);
    expect(next.status).toBe(429);
    expect(next.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(next.body).toMatchObject({ type: 'urn:tollgate:problem:rate_limited', status: 429 });
    expect(next.headers.get('ratelimit-policy')).toBe('"leaks";q=100;w=60');
    // 50 reports come back at 100 a minute: about 30 s.
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThanOrEqual(20);
    expect(Number(next.headers.get('retry-after'))).toBeLessThanOrEqual(30);
  });
});
