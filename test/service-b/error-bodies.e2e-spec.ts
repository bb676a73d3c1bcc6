import { AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

/** service-b answers every refusal as problem details, also those made before routing (issue 11). */
describe('service-b: error bodies before routing and at the door', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  let writeToken: string;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth);
    const writer = await auth.createClient({
      name: 'writer',
      grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
    });
    writeToken = await auth.token(writer.id, writer.secret);
  });
  afterAll(async () => {
    await crm.stop();
    await auth.stop();
  });

  const expectProblem = (response: { status: number; headers: Headers; body: any }, status: number, title: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({ type: 'about:blank', title, status, detail: expect.any(String) });
  };

  it('answers 20 KB of header fields with a 431 problem', async () => {
    expectProblem(
      await crm.request('GET', '/contacts', { authorization: `Bearer ${writeToken}`, 'x-padding': 'a'.repeat(20_000) }),
      431,
      'Request Header Fields Too Large',
    );
  });

  it('answers a 20 KB URL with a 431 problem', async () => {
    expectProblem(
      await crm.request('GET', `/contacts?q=${'a'.repeat(20_000)}`, { authorization: `Bearer ${writeToken}` }),
      431,
      'Request Header Fields Too Large',
    );
  });

  it('answers an over-long contact id with a 414 problem', async () => {
    expectProblem(
      await crm.request('GET', `/contacts/${'c'.repeat(300)}`, { authorization: `Bearer ${writeToken}` }),
      414,
      'URI Too Long',
    );
  });

  it('refuses a contact name with a lone UTF-16 surrogate (400), and stores nothing', async () => {
    const response = await crm.request(
      'POST',
      '/contacts',
      { authorization: `Bearer ${writeToken}` },
      { name: 'Eve \ud800', email: 'lone-surrogate@example.com' },
    );
    expectProblem(response, 400, 'Bad Request');
    expect(response.body.detail).toBe(
      'The request contains a lone UTF-16 surrogate (text must be well-formed Unicode)',
    );
    const listed = await crm.request('GET', '/contacts?q=lone-surrogate', { authorization: `Bearer ${writeToken}` });
    expect(JSON.stringify(listed.body)).not.toContain('lone-surrogate@example.com');
  });
});
