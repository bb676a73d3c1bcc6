import { RemoteAuthorizationServer } from './remote-authorization-server.js';
import { VerificationError } from './verification-error.js';

const ISSUER = 'https://auth.tollgate.test';
const T = Date.parse('2026-06-01T12:00:00Z');

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string; status: number }> {
  const error = await promise.then(
    () => expect.fail('it answered'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VerificationError);
  const { code, reason, status } = error as VerificationError;
  return { code, reason, status };
}

describe(RemoteAuthorizationServer.name, () => {
  let metadata: Record<string, unknown> | null;
  let fetch: ReturnType<typeof vi.fn<typeof globalThis.fetch>>;
  let sut: RemoteAuthorizationServer;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: T });
    metadata = {
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
    };
    fetch = vi.fn<typeof globalThis.fetch>(async () => {
      if (!metadata) throw new TypeError('fetch failed');
      return new Response(JSON.stringify(metadata), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    sut = new RemoteAuthorizationServer(ISSUER, { fetch });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('discovers the metadata once (RFC 8414), lazily, and keeps it', async () => {
    expect(fetch).not.toHaveBeenCalled();
    await expect(sut.introspectionEndpoint()).resolves.toBe(`${ISSUER}/oauth/introspect`);
    await sut.metadata();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String(fetch.mock.calls[0][0])).toBe(`${ISSUER}/.well-known/oauth-authorization-server`);
  });

  it('answers 503 discovery_failed while the issuer is unreachable, asking again at most every 5 s', async () => {
    metadata = null;
    expect(await refusal(sut.metadata())).toEqual({
      code: 'temporarily_unavailable',
      reason: 'discovery_failed',
      status: 503,
    });
    metadata = { issuer: ISSUER, token_endpoint: `${ISSUER}/oauth/token`, jwks_uri: `${ISSUER}/jwks` };

    vi.setSystemTime(T + 4_999);
    expect(await refusal(sut.metadata())).toEqual({
      code: 'temporarily_unavailable',
      reason: 'discovery_failed',
      status: 503,
    });
    expect(fetch).toHaveBeenCalledTimes(1);

    vi.setSystemTime(T + 5_000);
    await expect(sut.metadata()).resolves.toMatchObject({ issuer: ISSUER });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3), as unavailable rather than invalid', async () => {
    metadata = { ...metadata, issuer: 'https://evil.test' };
    expect(await refusal(sut.metadata())).toEqual({
      code: 'temporarily_unavailable',
      reason: 'discovery_failed',
      status: 503,
    });
  });

  it('answers 503 no_introspection when the issuer offers no introspection endpoint', async () => {
    delete metadata!.introspection_endpoint;
    expect(await refusal(sut.introspectionEndpoint())).toEqual({
      code: 'temporarily_unavailable',
      reason: 'no_introspection',
      status: 503,
    });
  });
});
