import { AuthServerHarness } from '../support/auth-server.harness.js';

describe('error bodies', () => {
  let server: AuthServerHarness;
  beforeAll(async () => {
    server = await AuthServerHarness.start();
  });
  afterAll(() => server.stop());

  it('answers unparseable JSON on the management API with a 400 problem', async () => {
    const response = await fetch(`${server.issuer}/api/resources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.admin()}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: expect.any(String),
    });
  });

  it.each([
    ['text/plain', 400],
    ['application/xml', 415],
  ])('answers a %s body at the token endpoint in RFC 6749 form (%i)', async (contentType, status) => {
    const response = await fetch(`${server.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('answers a body over the limit with 413', async () => {
    const response = await fetch(`${server.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `scope=${'a'.repeat(200_000)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('answers 20 KB of header fields with a 431 problem', async () => {
    const response = await fetch(`${server.issuer}/api/resources`, { headers: { 'x-padding': 'a'.repeat(20_000) } });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Request Header Fields Too Large',
      status: 431,
      detail: expect.any(String),
    });
  });

  it('answers an over-long path parameter with a 414 problem that does not echo it', async () => {
    const response = await fetch(`${server.issuer}/api/keys/${'tgk_live_'.padEnd(400, 'x')}`, {
      headers: { authorization: `Bearer ${await server.admin()}` },
    });
    expect(response.status).toBe(414);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = await response.json();
    expect(body).toEqual({ type: 'about:blank', title: 'URI Too Long', status: 414, detail: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('tgk_live_');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await fetch(`${server.issuer}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });
});

describe('caching of management API answers', () => {
  it('forbids caching an answer that carries a secret shown once', async () => {
    const server = await AuthServerHarness.start();
    try {
      const resource = await server.createResource('https://cache.tollgate.test', ['read']);
      const created = await fetch(`${server.issuer}/api/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await server.admin()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'cached?', grants: [{ resource: resource.indicator, scopes: ['read'] }] }),
      });
      expect(created.status).toBe(201);
      expect((await created.json()).clientSecret).toMatch(/^tgs_/);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(
        (
          await fetch(`${server.issuer}/api/clients`, { headers: { authorization: `Bearer ${await server.admin()}` } })
        ).headers.get('cache-control'),
      ).toBe('no-store');
    } finally {
      await server.stop();
    }
  });
});
