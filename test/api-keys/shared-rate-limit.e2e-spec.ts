import { randomUUID } from 'node:crypto';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

/** With REDIS_URL, every service-b instance takes from the same bucket: a key's limit holds across the fleet. */
describe.runIf(process.env.TEST_REDIS_URL)('API-key rate limits across two service-b instances (Redis)', () => {
  let auth: AuthServerHarness;
  let first: ServiceBHarness;
  let second: ServiceBHarness;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    first = await ServiceBHarness.start(auth, { env: { REDIS_URL: process.env.TEST_REDIS_URL! } });
    second = await ServiceBHarness.start(auth, { env: { REDIS_URL: process.env.TEST_REDIS_URL! } });
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
    await auth.stop();
  });

  it('shares one key’s limit', async () => {
    const consumer = await auth.api('POST', '/api/consumers', {
      name: `fleet-${randomUUID()}`,
      contact: 'ops@example.com',
    });
    const issued = await auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
      name: 'shared',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      rateLimit: { requests: 4, perSeconds: 60 },
    });
    const key = issued.body.key as string;
    const statuses: number[] = [];
    for (const instance of [first, second, first, second, first, second])
      statuses.push((await instance.request('GET', '/contacts', { 'x-api-key': key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
