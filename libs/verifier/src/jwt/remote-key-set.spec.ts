import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalSigningKey, TEST_ISSUER, TEST_RESOURCE } from '../../../../test/support/local-signing-key.js';
import type { VerificationError } from '../verification-error.js';
import { JwtAccessTokenVerifier } from './jwt-access-token.verifier.js';
import { remoteKeySet } from './remote-key-set.js';

const T = Date.parse('2026-06-01T12:00:00Z');

/** A JWKS endpoint on 127.0.0.1 whose key list the test changes, counting its fetches. */
async function jwksServer(): Promise<{
  url: string;
  published: LocalSigningKey[];
  fetches: () => number;
  close: () => Promise<void>;
}> {
  const published: LocalSigningKey[] = [];
  let fetches = 0;
  const server: Server = createServer((_request, response) => {
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    published,
    fetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const refusalOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: VerificationError) => error.reason,
  );

describe(remoteKeySet.name, () => {
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  let current: LocalSigningKey;
  let next: LocalSigningKey;
  let sut: JwtAccessTokenVerifier;

  beforeAll(async () => {
    current = await LocalSigningKey.create(() => Date.now(), 'current');
    next = await LocalSigningKey.create(() => Date.now(), 'next');
  });

  beforeEach(async () => {
    // Only Date is faked: jose times its cooldown and cache age with Date.now, the HTTP server runs for real.
    vi.useFakeTimers({ toFake: ['Date'], now: T });
    jwks = await jwksServer();
    jwks.published.push(current);
    sut = new JwtAccessTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_RESOURCE, keys: remoteKeySet(jwks.url) });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await jwks.close();
  });

  it('fetches the JWKS on first use only, then verifies from its copy', async () => {
    expect(jwks.fetches()).toBe(0);
    expect(await refusalOf(sut.verify(await current.sign()))).toBe('accepted');
    expect(await refusalOf(sut.verify(await current.sign()))).toBe('accepted');
    expect(jwks.fetches()).toBe(1);
  });

  it('does not refetch for an unknown kid within 30 s of the last fetch, however many arrive', async () => {
    await sut.verify(await current.sign());
    jwks.published.push(next);
    vi.setSystemTime(T + 29_000);

    const reasons = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => refusalOf(sut.verify(await current.sign({}, { kid: `random-${i}` })))),
    );
    expect(reasons).toEqual(Array(20).fill('unknown_key'));
    expect(await refusalOf(sut.verify(await next.sign()))).toBe('unknown_key');
    expect(jwks.fetches()).toBe(1);
  });

  it('refetches once for an unknown kid after the cooldown, and then accepts the new key (rotation)', async () => {
    await sut.verify(await current.sign());
    jwks.published.push(next);
    vi.setSystemTime(T + 30_001);

    expect(await refusalOf(sut.verify(await next.sign()))).toBe('accepted');
    expect(jwks.fetches()).toBe(2);
    expect(await refusalOf(sut.verify(await current.sign({}, { kid: 'still-unknown' })))).toBe('unknown_key');
    expect(jwks.fetches()).toBe(2);
  });

  it('refetches after ten minutes even for a known kid, so a key removed from the JWKS stops verifying', async () => {
    await sut.verify(await current.sign());
    jwks.published.splice(0, 1, next);
    vi.setSystemTime(T + 600_001);

    expect(await refusalOf(sut.verify(await current.sign()))).toBe('unknown_key');
    expect(jwks.fetches()).toBe(2);
  });

  it('answers keys_unavailable (503), not invalid_token, when the JWKS cannot be fetched', async () => {
    await jwks.close();
    const error = (await sut.verify(await current.sign()).catch((e: unknown) => e)) as VerificationError;
    expect({ code: error.code, reason: error.reason, status: error.status }).toEqual({
      code: 'temporarily_unavailable',
      reason: 'keys_unavailable',
      status: 503,
    });
  });
});
