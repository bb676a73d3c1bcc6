import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAuthorizationServer, readBody } from '../../../test/support/fake-authorization-server.js';
import { createAuthorizedFetch } from './authorized-fetch.js';
import { ClientCredentialsTokenProvider } from './client-credentials-token-provider.js';
import { AuthServerUnavailableError } from './token-errors.js';

interface SeenRequest {
  method: string;
  authorization?: string;
  custom?: string;
  body: string;
}

/** A resource server that accepts only live tokens of the fake authorization server, or answers a fixed status. */
async function startResourceServer(authServer: FakeAuthorizationServer) {
  const seen: SeenRequest[] = [];
  const state = { forcedStatus: undefined as number | undefined };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({
        method: req.method ?? '',
        authorization: req.headers.authorization,
        custom: req.headers['x-custom'] as string | undefined,
        body,
      });
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const status = state.forcedStatus ?? (token && authServer.introspect(token) ? 200 : 401);
      const headers = status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {};
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/things`;
  return { url, seen, state, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe(createAuthorizedFetch.name, () => {
  let authServer: FakeAuthorizationServer;
  let resourceServer: Awaited<ReturnType<typeof startResourceServer>>;
  let provider: ClientCredentialsTokenProvider;

  beforeEach(async () => {
    authServer = await FakeAuthorizationServer.start({
      clients: [{ clientId: 'svc', clientSecret: 'secret-value-0123456789' }],
    });
    resourceServer = await startResourceServer(authServer);
    provider = new ClientCredentialsTokenProvider({
      issuer: authServer.issuer,
      clientId: 'svc',
      clientSecret: 'secret-value-0123456789',
    });
  });

  afterEach(async () => {
    await resourceServer.stop();
    await authServer.stop().catch(() => undefined);
  });

  it('sends the bearer token along with the caller’s method, headers and body', async () => {
    const sut = createAuthorizedFetch(provider);

    const response = await sut(resourceServer.url, {
      method: 'PUT',
      headers: { 'x-custom': 'kept', authorization: 'Basic overridden' },
      body: '{"a":1}',
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echo: '{"a":1}' });
    const token = await provider.getToken();
    expect(resourceServer.seen).toEqual([
      { method: 'PUT', authorization: `Bearer ${token.value}`, custom: 'kept', body: '{"a":1}' },
    ]);
  });

  it('keeps the headers of a Request object', async () => {
    const sut = createAuthorizedFetch(provider);

    const response = await sut(new Request(resourceServer.url, { headers: { 'x-custom': 'from-request' } }));

    expect(response.status).toBe(200);
    expect(resourceServer.seen[0]).toMatchObject({ method: 'GET', custom: 'from-request' });
  });

  it('retries once with a fresh token when the resource server answers 401', async () => {
    const sut = createAuthorizedFetch(provider);
    const stale = await provider.getToken();
    authServer.revoke(stale.value);

    const response = await sut(resourceServer.url, { method: 'POST', body: new URLSearchParams({ n: '1' }) });

    expect(response.status).toBe(200);
    expect(resourceServer.seen.map((r) => r.authorization)).toEqual([
      `Bearer ${stale.value}`,
      `Bearer ${(await provider.getToken()).value}`,
    ]);
    expect(resourceServer.seen.map((r) => r.body)).toEqual(['n=1', 'n=1']);
    expect(authServer.tokenRequestCount).toBe(2);
  });

  it('returns the second 401 instead of retrying again', async () => {
    const sut = createAuthorizedFetch(provider);
    resourceServer.state.forcedStatus = 401;

    const response = await sut(resourceServer.url);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(resourceServer.seen).toHaveLength(2);
    expect(authServer.tokenRequestCount).toBe(2);
  });

  it('does not retry a request whose body is a stream, but still drops the refused token', async () => {
    const sut = createAuthorizedFetch(provider);
    const stale = await provider.getToken();
    authServer.revoke(stale.value);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });

    const response = await sut(resourceServer.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);

    expect(response.status).toBe(401);
    expect(resourceServer.seen).toHaveLength(1);
    expect((await provider.getToken()).value).not.toBe(stale.value);
  });

  it('does not retry on 403: a new token would carry the same scopes', async () => {
    const sut = createAuthorizedFetch(provider);
    resourceServer.state.forcedStatus = 403;

    const response = await sut(resourceServer.url);

    expect(response.status).toBe(403);
    expect(resourceServer.seen).toHaveLength(1);
    expect(authServer.tokenRequestCount).toBe(1);
  });

  it('refreshes once for 50 concurrent requests refused with the same token', async () => {
    const sut = createAuthorizedFetch(provider);
    authServer.revoke((await provider.getToken()).value);

    const responses = await Promise.all(Array.from({ length: 50 }, () => sut(resourceServer.url)));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(authServer.tokenRequestCount).toBe(2);
    expect(resourceServer.seen).toHaveLength(100);
  });

  it('rejects with the provider’s error when no token can be had', async () => {
    const sut = createAuthorizedFetch(provider);
    await authServer.stop();

    await expect(sut(resourceServer.url)).rejects.toBeInstanceOf(AuthServerUnavailableError);
    expect(resourceServer.seen).toHaveLength(0);
  });
});
