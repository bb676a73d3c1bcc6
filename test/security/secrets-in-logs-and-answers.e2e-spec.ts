import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerHarness,
  type JsonResponse,
} from '../support/auth-server.harness.js';
import { type LogLine, memoryLogger } from '../support/memory-logger.js';
import { CRM, CRM_SCOPES, ServiceBHarness } from '../support/service-b.harness.js';
import { testDatabases } from '../support/test-databases.js';

/** Nothing secret reaches a log or an answer (issue 11, point 8). */
describe('secrets in logs and answers', () => {
  describe('a credential sent where it does not belong', () => {
    let auth: AuthServerHarness;
    let crm: ServiceBHarness;
    let logs: LogLine[];
    let key: string;
    let token: string;

    beforeAll(async () => {
      auth = await AuthServerHarness.start();
      const captured = memoryLogger('service-b', 'trace');
      logs = captured.logs;
      crm = await ServiceBHarness.start(auth, { overrides: { logger: captured.logger } });
      const consumer = await auth.api('POST', '/api/consumers', {
        name: 'Leaky integration',
        contact: 'leaky@example.com',
      });
      key = (
        await auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
          name: 'k',
          environment: 'live',
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        })
      ).body.key;
      const client = await auth.createClient({ name: 'writer', grants: [{ resource: CRM, scopes: CRM_SCOPES }] });
      token = await auth.token(client.id, client.secret);
    });
    afterAll(async () => {
      await crm.stop();
      await auth.stop();
    });

    const json = { 'content-type': 'application/json' };
    const bearer = () => ({ authorization: `Bearer ${token}` });
    const cases: [string, () => { path: string; init?: RequestInit }, number][] = [
      ['in the query as x-api-key (the issue’s example)', () => ({ path: `/contacts?x-api-key=${key}` }), 400],
      ['in the query under an arbitrary name', () => ({ path: `/contacts?filter=${key}` }), 400],
      ['a JWT in the query', () => ({ path: `/contacts?q=${token}`, init: { headers: bearer() } }), 400],
      ['in the path', () => ({ path: `/contacts/${key}`, init: { headers: bearer() } }), 400],
      [
        'in a custom header',
        () => ({ path: '/contacts', init: { headers: { ...bearer(), 'x-forwarded-credential': key } } }),
        200,
      ],
      [
        'in a JSON body field with an unknown name',
        () => ({
          path: '/contacts',
          init: {
            method: 'POST',
            headers: { ...bearer(), ...json },
            body: JSON.stringify({ name: 'Eve', email: 'eve@example.com', referrer: key }),
          },
        }),
        400,
      ],
      [
        'as the name of a JSON body field',
        () => ({
          path: '/contacts',
          init: {
            method: 'POST',
            headers: { ...bearer(), ...json },
            body: JSON.stringify({ name: 'Eve', email: 'eve@example.com', [key]: 1 }),
          },
        }),
        400,
      ],
      [
        'in a body that is not JSON',
        () => ({
          path: '/contacts',
          init: { method: 'POST', headers: { ...bearer(), ...json }, body: `{"name": ${key}}` },
        }),
        400,
      ],
    ];

    it.each(cases)('%s: neither the log nor the answer holds it beyond its prefix', async (_case, request, status) => {
      const { path, init } = request();
      const from = logs.length;

      const response = await fetch(crm.url + path, init);
      const answer = `${[...response.headers].join('\n')}\n${await response.text()}`;

      expect(response.status, answer).toBe(status);
      await vi.waitFor(() => expect(logs.slice(from).some((line) => line.msg === 'request')).toBe(true));
      const logged = JSON.stringify(logs.slice(from));
      for (const secret of [key, token]) {
        // The body and the signature: what would let a reader use it.
        for (const part of [secret.slice(9), secret.split('.').at(-1)!]) {
          expect(logged).not.toContain(part);
          expect(answer).not.toContain(part);
        }
      }
      if (path.includes('?') || path.includes('tgk_')) expect(logged).toMatch(/tgk_live_\[REDACTED\]|\[REDACTED JWT\]/);
    });
  });

  describe.each(testDatabases())('client secrets as the management API lists them, on $name', ({ create }) => {
    let auth: AuthServerHarness;

    beforeAll(async () => {
      auth = await AuthServerHarness.start({ database: await create() });
    });
    afterAll(async () => {
      await auth.stop();
    });

    const chosen = 'hunter2-hunter2-hunter2-hunter2-hunter2';
    const shown = (response: JsonResponse) =>
      response.body.secrets.map((s: { displayPrefix: string }) => s.displayPrefix);

    it('shows an operator-chosen secret by a label, never by its first characters', async () => {
      const client = await auth.createClient({ id: 'chosen-secret', grants: [], clientSecret: chosen });

      expect(shown(await auth.api('GET', `/api/clients/${client.id}`))).toEqual(['(operator-chosen)']);
      const rotated = await auth.api('POST', `/api/clients/${client.id}/secrets`, { clientSecret: `${chosen}-next` });
      expect(rotated.body.displayPrefix).toBe('(operator-chosen)');
      expect(JSON.stringify((await auth.api('GET', '/api/clients')).body)).not.toContain('hunt');
    });

    it('shows a Tollgate-format secret by its prefix and first characters, as before', async () => {
      const client = await auth.createClient({ grants: [] });

      expect(shown(await auth.api('GET', `/api/clients/${client.id}`))).toEqual([client.secret.slice(0, 8)]);
    });

    it('shows the bootstrap admin’s secret (not in tgs_ format here) without any of its characters', async () => {
      expect(ADMIN_CLIENT_SECRET.startsWith('tgs_')).toBe(false);

      const [secret] = shown(await auth.api('GET', `/api/clients/${ADMIN_CLIENT_ID}`));

      expect(secret).toBe('bootstrap');
      expect(ADMIN_CLIENT_SECRET.startsWith(secret.slice(0, 2))).toBe(false);
    });
  });
});
