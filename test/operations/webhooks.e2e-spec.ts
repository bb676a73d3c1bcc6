import { ManualClock } from '@tollgate/platform';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { RETRY_DELAYS_SECONDS, WebhookDispatcher } from '../../apps/auth-server/src/webhooks/webhook-dispatcher.js';
import { WebhooksRepository } from '../../apps/auth-server/src/webhooks/webhooks.repository.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { testDatabases } from '../support/test-databases.js';

const CRM = 'https://crm.tollgate.local';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that answers with the statuses it is told, in turn (then 200). */
class Receiver {
  readonly received: Received[] = [];
  answers: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body });
        response.writeHead(this.answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  of(type: string): Received[] {
    return this.received.filter((message) => JSON.parse(message.body).type === type);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const verifies = (secret: string, message: Received) =>
  new Webhook(secret).verify(message.body, message.headers as Record<string, string>);

/**
 * Issue 16 item 3: every audit event can go to an admin's endpoint as a Standard Webhooks message,
 * signed, retried with backoff for about a day, logged per delivery, replayable, and never sent
 * into the auth-server's own network unless the operator allows it.
 */
describe.each(testDatabases())('signed event webhooks on $name', ({ create }) => {
  let auth: AuthServerHarness;
  let clock: ManualClock;
  let receiver: Receiver;
  let consumerId: string;

  const dispatcher = () => auth.app.get(WebhookDispatcher);
  /** Stores what was queued and makes every attempt that is due now. */
  const deliverDue = async () => {
    await dispatcher().settled();
    await dispatcher().deliverDue();
  };
  const createKey = async () =>
    (
      await auth.api('POST', `/api/consumers/${consumerId}/keys`, {
        name: 'k',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      })
    ).body.id as string;
  const subscribe = async (events: string[]) => {
    const created = await auth.api('POST', '/api/webhooks', { url: receiver.url, events, description: 'test' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; secret: string };
  };

  beforeAll(async () => {
    clock = new ManualClock();
    auth = await AuthServerHarness.start({
      clock,
      database: await create(),
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    receiver = await new Receiver().start();
    await auth.createResource(CRM, ['contacts:read']);
    consumerId = (await auth.api('POST', '/api/consumers', { name: 'Zapflow', contact: 'dev@zapflow.example' })).body
      .id;
  });
  afterAll(async () => {
    await auth?.stop();
    await receiver?.close();
  });

  it('sends a signed api-key.revoked within a second, and only the events asked for', async () => {
    const webhook = await subscribe(['api-key.revoked']);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect((await auth.api('GET', `/api/webhooks/${webhook.id}`)).body.secret).toBeUndefined();
    const keyId = await createKey();
    expect((await auth.api('DELETE', `/api/keys/${keyId}`)).status).toBe(204);

    // No call to the dispatcher: it sends by itself, as soon as the event is stored.
    await eventually(() => expect(receiver.of('api-key.revoked')).toHaveLength(1), 1_000, 10);
    const [message] = receiver.of('api-key.revoked');
    expect(verifies(webhook.secret, message)).toMatchObject({
      type: 'api-key.revoked',
      data: { action: 'api-key.revoked', outcome: 'success', credential: { type: 'api_key', id: keyId } },
    });
    expect(() => verifies('whsec_' + Buffer.alloc(32, 1).toString('base64'), message)).toThrow();
    expect(receiver.of('api-key.created')).toEqual([]);
    await auth.api('DELETE', `/api/webhooks/${webhook.id}`);
  });

  it('retries after a 500 with the same webhook-id, and logs every delivery', async () => {
    const webhook = await subscribe(['api-key.*']);
    receiver.answers = [500];
    const keyId = await createKey();
    await deliverDue();
    const [log] = (await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries`)).body;
    expect(log).toMatchObject({ eventType: 'api-key.created', status: 'pending', attempts: 1, lastStatusCode: 500 });
    const first = receiver.of('api-key.created').at(-1)!;

    // Not before its backoff (5 s, ±20 %), then again under the same id.
    clock.advance(3_000);
    await deliverDue();
    expect(receiver.of('api-key.created').at(-1)).toBe(first);
    clock.advance(4_000);
    await deliverDue();
    const second = receiver.of('api-key.created').at(-1)!;
    expect(second).not.toBe(first);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(verifies(webhook.secret, second)).toMatchObject({ data: { credential: { id: keyId } } });
    const [delivered] = (await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries`)).body;
    expect(delivered).toMatchObject({ id: log.id, status: 'succeeded', attempts: 2, lastStatusCode: 200 });
    expect(delivered.payload).toMatchObject({ type: 'api-key.created' });
    await auth.api('DELETE', `/api/webhooks/${webhook.id}`);
  });

  it('gives up after about 24 hours of failures, and sends it again on replay', async () => {
    const webhook = await subscribe(['api-key.created']);
    receiver.answers = Array.from({ length: RETRY_DELAYS_SECONDS.length + 1 }, () => 503);
    await createKey();
    await deliverDue();
    for (const delay of RETRY_DELAYS_SECONDS) {
      clock.advance(delay * 1_200);
      await deliverDue();
    }
    const [failed] = (await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries?status=failed`)).body;
    expect(failed).toMatchObject({ status: 'failed', attempts: RETRY_DELAYS_SECONDS.length + 1, lastStatusCode: 503 });
    expect(RETRY_DELAYS_SECONDS.reduce((sum, delay) => sum + delay, 0)).toBeGreaterThanOrEqual(23.5 * 3_600);

    const replayed = await auth.api('POST', `/api/webhooks/${webhook.id}/deliveries/${failed.id}/replay`);
    expect(replayed.status).toBe(202);
    await eventually(async () => {
      const [again] = (await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries`)).body;
      expect(again).toMatchObject({ id: failed.id, status: 'succeeded', attempts: 1 });
    });
    const audit = await auth.api('GET', `/api/audit?action=webhook.delivery.replayed&credential=${webhook.id}`);
    expect(audit.body.items).toHaveLength(1);

    // Finished deliveries stay in the log for 30 days from their creation (28 hours of retries ago).
    clock.advance(27 * 86_400_000);
    await dispatcher().forgetOldDeliveries();
    expect((await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries`)).body).toHaveLength(1);
    clock.advance(3 * 86_400_000);
    expect(await dispatcher().forgetOldDeliveries()).toBeGreaterThanOrEqual(1);
    expect((await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries`)).body).toEqual([]);
    await auth.api('DELETE', `/api/webhooks/${webhook.id}`);
  });

  it('signs with the new and the previous secret while a rotation overlaps, then with the new one only', async () => {
    const webhook = await subscribe(['api-key.created']);
    const rotated = await auth.api('POST', `/api/webhooks/${webhook.id}/secret`, { expireCurrentInMinutes: 60 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).not.toBe(webhook.secret);
    await createKey();
    await deliverDue();
    const during = receiver.of('api-key.created').at(-1)!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(webhook.secret, during)).toBeTruthy();
    expect(verifies(rotated.body.secret, during)).toBeTruthy();

    clock.advance(61 * 60_000);
    await createKey();
    await deliverDue();
    const after = receiver.of('api-key.created').at(-1)!;
    expect(after).not.toBe(during);
    expect(verifies(rotated.body.secret, after)).toBeTruthy();
    expect(() => verifies(webhook.secret, after)).toThrow();
    await auth.api('DELETE', `/api/webhooks/${webhook.id}`);
  });

  it('gives each due attempt to one instance only: of concurrent claims on a delivery, one wins', async () => {
    const webhook = await subscribe(['api-key.created']);
    receiver.answers = [500];
    await createKey();
    await deliverDue();
    const [pending] = (await auth.api('GET', `/api/webhooks/${webhook.id}/deliveries`)).body;
    expect(pending.status).toBe('pending');
    const repository = auth.app.get(WebhooksRepository);
    const [row] = await repository.due(new Date(pending.nextAttemptAt), 10);
    const lease = new Date(clock.now().getTime() + 60_000);
    const claims = await Promise.all(Array.from({ length: 5 }, () => repository.claim(row, lease)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await auth.api('DELETE', `/api/webhooks/${webhook.id}`);
  });

  it('refuses bad endpoints (400), unknown ones (404), and callers without a credential (401)', async () => {
    for (const body of [
      { url: 'ftp://example.com/x', events: ['*'] },
      { url: 'https://user:password@example.com/x', events: ['*'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['Api Key'] },
      { url: 'not a url', events: ['*'] },
    ]) {
      const refused = await auth.api('POST', '/api/webhooks', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect((await auth.api('GET', '/api/webhooks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await auth.api('GET', '/api/webhooks', undefined, null)).status).toBe(401);
  });
});

describe('webhook targets, with private networks not allowed (the default)', () => {
  let auth: AuthServerHarness;
  beforeAll(async () => {
    auth = await AuthServerHarness.start();
  });
  afterAll(() => auth?.stop());

  it('refuses loopback, private, link-local and metadata addresses when the endpoint is registered', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd00::1]/hook',
    ]) {
      const refused = await auth.api('POST', '/api/webhooks', { url, events: ['*'] });
      expect(refused.status, url).toBe(400);
      expect(refused.body.detail ?? JSON.stringify(refused.body), url).toMatch(/private|loopback|link-local/);
    }
    expect(
      (await auth.api('POST', '/api/webhooks', { url: 'https://hooks.example.com/x', events: ['*'] })).status,
    ).toBe(201);
  });
});
