import { ManualClock } from '@tollgate/platform';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditService } from '../../apps/auth-server/src/audit/audit.service.js';
import { AUTH_SERVER_CONFIG } from '../../apps/auth-server/src/config/auth-server.config.js';
import { PatExpiryNotifier } from '../../apps/auth-server/src/pats/pat-expiry.notifier.js';
import { PatPolicyService } from '../../apps/auth-server/src/pats/pat-policy.service.js';
import { PatsRepository } from '../../apps/auth-server/src/pats/pats.repository.js';
import { AuthServerHarness, type ConsoleSession } from '../support/auth-server.harness.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.test';
const WEBHOOK_SECRET = 'expiry-webhook-secret-0123456789';
const DAY_MS = 86_400_000;

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on port 0 that records what it is sent. */
async function webhookReceiver(): Promise<{ url: string; deliveries: Delivery[]; server: Server }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tollgate`, deliveries, server };
}

describe.each(testDatabases())('PAT expiry warnings on $name', ({ create }) => {
  let server: AuthServerHarness;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let clock: ManualClock;
  let session: ConsoleSession;
  let user: any;

  beforeAll(async () => {
    receiver = await webhookReceiver();
    clock = new ManualClock(new Date('2026-09-01T06:00:00Z'));
    server = await AuthServerHarness.start({
      database: await create(),
      clock,
      env: {
        PAT_EXPIRY_WEBHOOK_URL: receiver.url,
        PAT_EXPIRY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PAT_EXPIRY_WARNING_DAYS: '7',
      },
    });
    await server.createResource(CRM, ['contacts:read']);
    await server.createRole('crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    user = await server.createUser({
      email: 'expiring@example.com',
      displayName: 'Expiring Person',
      roles: ['crm-reader'],
    });
    session = await server.login('expiring@example.com');
  });
  afterAll(async () => {
    await server.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('warns once per token about to expire, with an audit event and a signed webhook', async () => {
    const soon = await session.createToken({ name: 'deploys', scopes: ['contacts:read'], expiresInDays: 10 });
    const later = await session.createToken({ name: 'later', scopes: ['contacts:read'], expiresInDays: 60 });
    const revoked = await session.createToken({ name: 'revoked', scopes: ['contacts:read'], expiresInDays: 10 });
    await session.request('DELETE', `/api/me/tokens/${revoked.id}`);
    const notifier = server.app.get(PatExpiryNotifier);

    expect(await notifier.run()).toBe(0);
    clock.advance(4 * DAY_MS);
    server.resetAdminToken();
    expect(await notifier.run()).toBe(1);
    expect(await notifier.run()).toBe(0);

    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    const id = delivery.headers['webhook-id'] as string;
    const timestamp = delivery.headers['webhook-timestamp'] as string;
    expect(id).toBe(`pat-expiring-${soon.id}`);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    const expected = createHmac('sha256', WEBHOOK_SECRET)
      .update(`${id}.${timestamp}.${delivery.body}`)
      .digest('base64');
    expect(delivery.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(delivery.headers['content-type']).toBe('application/json');

    expect(JSON.parse(delivery.body)).toEqual({
      type: 'pat.expiring',
      timestamp: clock.now().toISOString(),
      data: {
        token: {
          id: soon.id,
          name: 'deploys',
          displayPrefix: soon.displayPrefix,
          scopes: ['contacts:read'],
          resources: [],
          expiresAt: soon.expiresAt,
          lastUsedAt: null,
        },
        user: { id: user.id, email: 'expiring@example.com', displayName: 'Expiring Person', kind: 'person' },
      },
    });
    expect(delivery.body).not.toContain(soon.token);

    const audit = await server.api('GET', '/api/audit?action=pat.expiring');
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actor: { type: 'system', id: null },
        credential: { type: 'pat', id: soon.id },
        details: expect.objectContaining({ userId: user.id, expiresAt: soon.expiresAt }),
      }),
    ]);
    expect(audit.body.items.map((e: any) => e.credential.id)).not.toContain(later.id);
  });

  it('warns as many days ahead as the policy an admin sets', async () => {
    session = await server.login('expiring@example.com');
    const token = await session.createToken({ name: 'quarterly', scopes: ['contacts:read'], expiresInDays: 20 });
    const notifier = server.app.get(PatExpiryNotifier);
    const warned = () => receiver.deliveries.map((delivery) => delivery.headers['webhook-id']);
    await notifier.run();
    expect(warned()).not.toContain(`pat-expiring-${token.id}`);
    const policy = { maxLifetimeDays: 90, allowNoExpiry: false };
    expect((await server.api('PUT', '/api/settings/pat-policy', { ...policy, expiryWarningDays: 30 })).status).toBe(
      200,
    );
    await notifier.run();
    expect(warned()).toContain(`pat-expiring-${token.id}`);
    await server.api('PUT', '/api/settings/pat-policy', { ...policy, expiryWarningDays: 7 });
  });

  it('sends each warning from one instance only when several run at once', async () => {
    session = await server.login('expiring@example.com');
    const first = await session.createToken({ name: 'race one', scopes: ['contacts:read'], expiresInDays: 5 });
    const second = await session.createToken({ name: 'race two', scopes: ['contacts:read'], expiresInDays: 6 });
    receiver.deliveries.length = 0;
    // A second instance: its own notifier over the same database.
    const other = new PatExpiryNotifier(
      server.app.get(PatsRepository),
      server.app.get(PatPolicyService),
      server.app.get(AuditService),
      server.app.get(AUTH_SERVER_CONFIG),
      clock,
    );

    const sent = await Promise.all([server.app.get(PatExpiryNotifier).run(), other.run()]);

    expect(sent[0] + sent[1]).toBe(2);
    expect(receiver.deliveries.map((d) => d.headers['webhook-id']).sort()).toEqual(
      [`pat-expiring-${first.id}`, `pat-expiring-${second.id}`].sort(),
    );
  });
});
