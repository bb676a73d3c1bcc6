import {
  type Principal,
  RemoteAuthorizationServer,
  UsageReporter,
  type UsageReporterOptions,
  VerificationError,
} from '@tollgate/verifier';
import { randomUUID } from 'node:crypto';
import { UsageService } from '../../apps/auth-server/src/usage/usage.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';

function apiKeyPrincipal(credentialId: string, consumerId = 'consumer'): Principal {
  return {
    credentialType: 'api_key',
    credentialId,
    subject: consumerId,
    consumerId,
    scopes: new Set(['contacts:read']),
    audience: [CRM],
  };
}

/** A refusal as the guard reports it; `policy`: refused by the credential's own rate limit (it never became the request's user). */
function refusal(
  principal: Principal,
  options: { reason?: 'rate_limited' | 'insufficient_scope'; method?: string; path?: string; address?: string } = {},
) {
  const reason = options.reason ?? 'rate_limited';
  const error =
    reason === 'rate_limited'
      ? new VerificationError('rate_limited', 'Rate limit exceeded', 'rate_limited')
      : new VerificationError('insufficient_scope', 'Needs contacts:write', 'insufficient_scope');
  if (reason === 'rate_limited') error.principal = principal;
  return {
    error,
    principal,
    address: options.address ?? '203.0.113.7',
    method: options.method ?? 'GET',
    path: options.path ?? '/contacts',
  };
}

/**
 * The usage reporter of the verifier against the real /api/usage of the auth-server: reports stay
 * under the body limit whatever accumulated, a report that can never be accepted is not retried
 * forever, and what waits in memory is bounded.
 */
describe.each(testDatabases())('usage reports to the auth-server on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let reporterClient: { id: string; secret: string };
  let consumerId: string;
  const reporters: UsageReporter[] = [];

  function reporter(options: Partial<UsageReporterOptions> = {}): UsageReporter {
    const created = new UsageReporter({
      authorizationServer: new RemoteAuthorizationServer(auth.issuer),
      clientId: reporterClient.id,
      clientSecret: reporterClient.secret,
      ...options,
    });
    reporters.push(created);
    return created;
  }

  async function issueKey(): Promise<string> {
    const response = await auth.api('POST', `/api/consumers/${consumerId}/keys`, {
      name: 'usage',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    expect(response.status).toBe(201);
    return response.body.id;
  }

  /** Writes what the auth-server received (it batches too), then reads the key's usage. */
  async function usageOf(keyId: string): Promise<any> {
    await auth.app.get(UsageService).flush();
    return (await auth.api('GET', `/api/keys/${keyId}/usage`)).body;
  }

  async function deniedEvents(credentialId: string, action = 'api-key.use.denied'): Promise<any[]> {
    return (await auth.api('GET', `/api/audit?action=${action}&credential=${credentialId}&limit=200`)).body.items;
  }

  beforeAll(async () => {
    auth = await AuthServerHarness.start({ database: await create() });
    await auth.createResource(CRM, ['contacts:read']);
    reporterClient = await auth.createClient({
      name: 'crm reporter',
      grants: [{ resource: auth.managementApi, scopes: ['usage:write'] }],
    });
    consumerId = (await auth.api('POST', '/api/consumers', { name: 'Usage', contact: 'ops@example.com' })).body.id;
  });
  afterAll(async () => {
    await Promise.all(reporters.map((r) => r.stop().catch(() => undefined)));
    await auth.stop();
  });

  it('adds up 2,000 refusals of one key into one entry, and the other key’s use arrives with them', async () => {
    const [flooder, quiet] = [await issueKey(), await issueKey()];
    const sut = reporter();
    for (let i = 0; i < 2_000; i++)
      sut.recordDenial(refusal(apiKeyPrincipal(flooder), { address: `203.0.113.${i % 5}` }));
    sut.recordResponse(apiKeyPrincipal(quiet), 200, '198.51.100.1');

    await sut.flush();

    expect(await usageOf(quiet)).toMatchObject({
      totals: { '2xx': 1 },
      lastUsedAddress: '198.51.100.1',
      lastUsedAt: expect.any(String),
    });
    // Refused by its own rate limit: counted in its usage too (429 is a 4xx).
    expect((await usageOf(flooder)).totals).toEqual({ '4xx': 2_000 });
    const events = await deniedEvents(flooder);
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        reason: 'rate_limited',
        address: '203.0.113.0',
        details: {
          count: 2_000,
          firstAt: expect.any(String),
          lastAt: expect.any(String),
          subject: 'consumer',
          samples: [0, 1, 2].map((i) => ({ address: `203.0.113.${i}`, method: 'GET', path: '/contacts' })),
        },
      }),
    ]);
    expect(sut.health()).toEqual({ pending: 0, dropped: 0 });
  });

  it('cuts what accumulated into reports under the body limit: 1,500 credentials refused on long paths all arrive', async () => {
    const sut = reporter();
    const tokens = Array.from({ length: 1_500 }, () => randomUUID());
    for (const jti of tokens) {
      const principal: Principal = {
        credentialType: 'access_token',
        credentialId: jti,
        subject: 'svc',
        scopes: new Set(),
        audience: [CRM],
      };
      for (const n of [1, 2, 3])
        sut.recordDenial(
          refusal(principal, {
            reason: 'insufficient_scope',
            method: 'POST',
            path: `/contacts/${String(n).repeat(190)}`,
          }),
        );
    }

    await sut.flush();

    for (const jti of [tokens[0], tokens[749], tokens[1_499]]) {
      expect(await deniedEvents(jti, 'token.use.denied')).toEqual([
        expect.objectContaining({
          reason: 'insufficient_scope',
          details: expect.objectContaining({ count: 3, subject: 'svc' }),
        }),
      ]);
    }
    const all = await auth.dataSource.query(
      `SELECT COUNT(*) AS count FROM "audit_events" WHERE "action" = 'token.use.denied'`,
    );
    expect(Number(all[0].count)).toBe(1_500);
    expect(sut.health()).toEqual({ pending: 0, dropped: 0 });
  });

  it('splits a report refused as too large (a proxy with a smaller limit) until the parts get through', async () => {
    const keys = [await issueKey(), await issueKey(), await issueKey()];
    let refusedTooLarge = 0;
    // A gateway in front of the auth-server that takes at most 1 KiB.
    const gateway: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/api/usage') && Buffer.byteLength(String(init?.body ?? '')) > 1024) {
        refusedTooLarge += 1;
        return new Response('request entity too large', { status: 413 });
      }
      return fetch(input, init);
    };
    const sut = reporter({ fetch: gateway });
    for (const key of keys) {
      sut.recordResponse(apiKeyPrincipal(key), 200, '198.51.100.2');
      sut.recordDenial(refusal(apiKeyPrincipal(key), { path: `/contacts/${'x'.repeat(150)}` }));
    }

    await sut.flush();

    expect(refusedTooLarge).toBeGreaterThan(0);
    expect(sut.health()).toEqual({ pending: 0, dropped: 0 });
    for (const key of keys) {
      expect((await usageOf(key)).totals).toEqual({ '2xx': 1, '4xx': 1 });
      expect(await deniedEvents(key)).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ count: 1 }) }),
      ]);
    }
  });

  it('drops and counts a report the auth-server refuses as invalid instead of retrying it forever, and says so once', async () => {
    const key = await issueKey();
    const dropped: string[] = [];
    const sut = reporter({ onDropped: (reason) => dropped.push(reason) });
    // No route answers this method: the auth-server's validation refuses it (400), and would every time.
    sut.recordDenial(refusal(apiKeyPrincipal(key), { reason: 'insufficient_scope', method: 'M-SEARCH' }));
    sut.recordDenial(refusal(apiKeyPrincipal(randomUUID()), { reason: 'insufficient_scope', method: 'M-SEARCH' }));

    await sut.flush();

    expect(sut.health()).toEqual({ pending: 0, dropped: 2 });
    expect(dropped).toEqual([expect.stringContaining('refused a usage report (400)')]);
    sut.recordResponse(apiKeyPrincipal(key), 200, '198.51.100.3');
    await sut.flush();
    expect(await usageOf(key)).toMatchObject({ totals: { '2xx': 1 }, lastUsedAddress: '198.51.100.3' });
    expect(sut.health()).toEqual({ pending: 0, dropped: 2 });
  });

  it('cuts an address the caller could have written (X-Forwarded-For behind a trusted proxy) instead of losing the report', async () => {
    const key = await issueKey();
    const forged = `203.0.113.9, ${'9'.repeat(200)}`;
    const sut = reporter();
    sut.recordResponse(apiKeyPrincipal(key), 200, forged);
    sut.recordDenial(refusal(apiKeyPrincipal(key), { address: forged }));

    await sut.flush();

    expect(sut.health()).toEqual({ pending: 0, dropped: 0 });
    expect(await usageOf(key)).toMatchObject({ totals: { '2xx': 1, '4xx': 1 }, lastUsedAddress: forged.slice(0, 64) });
    expect(await deniedEvents(key)).toEqual([expect.objectContaining({ address: forged.slice(0, 64) })]);
  });

  it('keeps a report the auth-server could not take (unreachable, 5xx) and delivers it later', async () => {
    const key = await issueKey();
    let down = true;
    const errors: unknown[] = [];
    const flaky: typeof fetch = async (input, init) =>
      down && String(input).endsWith('/api/usage')
        ? new Response('upstream unavailable', { status: 503 })
        : fetch(input, init);
    const sut = reporter({ fetch: flaky, onError: (error) => errors.push(error) });
    sut.recordResponse(apiKeyPrincipal(key), 200, '198.51.100.4');
    sut.recordDenial(refusal(apiKeyPrincipal(key)));

    await sut.flush();
    expect(sut.health()).toEqual({ pending: 3, dropped: 0 });
    expect(errors).toHaveLength(1);

    sut.recordDenial(refusal(apiKeyPrincipal(key)));
    down = false;
    await sut.flush();

    expect(sut.health()).toEqual({ pending: 0, dropped: 0 });
    expect((await usageOf(key)).totals).toEqual({ '2xx': 1, '4xx': 2 });
    expect(await deniedEvents(key)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ count: 2 }) }),
    ]);
  });

  describe('POST /api/usage refuses what a reporter never sends (400 problem)', () => {
    const denial = {
      credentialType: 'api_key',
      credentialId: 'k',
      subject: 'c',
      reason: 'rate_limited',
      count: 1,
      firstAt: '2026-01-01T00:00:00Z',
      lastAt: '2026-01-01T00:00:01Z',
      samples: [{ address: '203.0.113.1', method: 'GET', path: '/contacts' }],
    };
    const use = {
      credentialType: 'pat',
      credentialId: 'k',
      day: '2026-01-01',
      statusClass: '4xx',
      count: 1,
      lastUsedAt: '2026-01-01T00:00:00Z',
    };
    const smallDenial = {
      credentialType: 'pat',
      credentialId: 'k',
      reason: 'r',
      count: 1,
      firstAt: '2026-01-01',
      lastAt: '2026-01-01',
      samples: [{ address: 'a', method: 'GET', path: '/' }],
    };
    it.each<[string, unknown]>([
      ['more than 500 uses', { uses: Array.from({ length: 501 }, () => use), denials: [] }],
      ['more than 500 denials', { uses: [], denials: Array.from({ length: 501 }, () => smallDenial) }],
      ['a denial without samples', { uses: [], denials: [{ ...denial, samples: [] }] }],
      [
        'a denial with 4 samples',
        { uses: [], denials: [{ ...denial, samples: Array.from({ length: 4 }, () => denial.samples[0]) }] },
      ],
      [
        'a sample path over 200 characters',
        { uses: [], denials: [{ ...denial, samples: [{ ...denial.samples[0], path: `/${'p'.repeat(200)}` }] }] },
      ],
      ['a denial count of 0', { uses: [], denials: [{ ...denial, count: 0 }] }],
      [
        'a denial in the old one-row-per-request shape',
        {
          uses: [],
          denials: [
            {
              credentialType: 'api_key',
              credentialId: 'k',
              reason: 'rate_limited',
              address: '203.0.113.1',
              at: '2026-01-01T00:00:00Z',
              method: 'GET',
              path: '/contacts',
            },
          ],
        },
      ],
      [
        'an unknown field in a sample',
        { uses: [], denials: [{ ...denial, samples: [{ ...denial.samples[0], userAgent: 'x' }] }] },
      ],
    ])('refuses %s', async (_name, body) => {
      const token = await auth.token(reporterClient.id, reporterClient.secret, {
        resource: auth.managementApi,
        scope: 'usage:write',
      });
      const response = await auth.api('POST', '/api/usage', body, token);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    });

    it('accepts the aggregated shape (202)', async () => {
      const token = await auth.token(reporterClient.id, reporterClient.secret, {
        resource: auth.managementApi,
        scope: 'usage:write',
      });
      const response = await auth.api(
        'POST',
        '/api/usage',
        { uses: [], denials: [{ ...denial, credentialId: randomUUID() }] },
        token,
      );
      expect({ status: response.status, body: response.body }).toEqual({ status: 202, body: { accepted: 1 } });
    });
  });

  it('bounds what waits in memory and counts what it had to drop', async () => {
    const dropped: string[] = [];
    const sut = reporter({ maxPending: 3, onDropped: (reason) => dropped.push(reason) });
    const keys = Array.from({ length: 5 }, () => randomUUID());
    for (const key of keys) sut.recordResponse(apiKeyPrincipal(key), 200, '198.51.100.5');
    expect(sut.health()).toEqual({ pending: 3, dropped: 2 });
    // An entry already waiting still counts; a new one is dropped.
    sut.recordResponse(apiKeyPrincipal(keys[0]), 200, '198.51.100.5');
    sut.recordResponse(apiKeyPrincipal(keys[4]), 200, '198.51.100.5');
    expect(sut.health()).toEqual({ pending: 3, dropped: 3 });
    expect(dropped).toEqual([expect.stringContaining('usage queue is full (3 entries)')]);
  });
});
