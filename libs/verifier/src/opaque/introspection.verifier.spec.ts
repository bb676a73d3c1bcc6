import { generateCredential, parseCredential } from '@tollgate/credentials';
import { VerificationError } from '../verification-error.js';
import type { OpaqueIntrospectionResponse } from './introspection-response.js';
import { IntrospectionVerifier, type IntrospectionVerifierOptions } from './introspection.verifier.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const CRM = 'https://crm.tollgate.test';
const ENDPOINT = 'https://auth.tollgate.test/oauth/introspect';
const CONTEXT = { address: '203.0.113.7' };

function active(overrides: Partial<OpaqueIntrospectionResponse> = {}): OpaqueIntrospectionResponse {
  return {
    active: true,
    token_type: 'Bearer',
    credential_type: 'pat',
    credential_id: 'pat-1',
    sub: 'user-1',
    user_id: 'user-1',
    scope: 'contacts:read',
    aud: [],
    iss: 'https://auth.tollgate.test',
    iat: T / 1000,
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string; status: number }> {
  const error = await promise.then(
    () => expect.fail('the credential was accepted'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VerificationError);
  const { code, reason, status } = error as VerificationError;
  return { code, reason, status };
}

describe(IntrospectionVerifier.name, () => {
  let now: number;
  let answers: Map<string, () => Response | Promise<Response>>;
  let fetch: ReturnType<typeof vi.fn<typeof globalThis.fetch>>;
  let sut: IntrospectionVerifier;
  const pat = generateCredential('pat');
  const otherPat = generateCredential('pat');

  const create = (options: Partial<IntrospectionVerifierOptions> = {}) =>
    new IntrospectionVerifier({
      introspectionEndpoint: ENDPOINT,
      clientId: 'crm client',
      clientSecret: 'crm:secret',
      resource: CRM,
      fetch,
      now: () => now,
      ...options,
    });
  const json = (body: object, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const verify = (credential: string) => sut.verify(credential, parseCredential(credential)!, CONTEXT);

  beforeEach(() => {
    now = T;
    answers = new Map([[pat, () => json(active())]]);
    fetch = vi.fn<typeof globalThis.fetch>(async (_url, init) =>
      (answers.get(new URLSearchParams(String(init!.body)).get('token')!) ?? (() => json({ active: false })))(),
    );
    sut = create();
  });

  it('introspects at the endpoint as this resource server (RFC 7662 §2.1), for its resource', async () => {
    const principal = await verify(pat);

    expect(principal).toMatchObject({
      credentialType: 'pat',
      credentialId: 'pat-1',
      subject: 'user-1',
      userId: 'user-1',
      scopes: new Set(['contacts:read']),
    });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(ENDPOINT);
    // RFC 6749 §2.3.1: id and secret form-encoded before Base64.
    const basic = `Basic ${Buffer.from('crm+client:crm%3Asecret').toString('base64')}`;
    expect(init).toMatchObject({
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(Object.fromEntries(new URLSearchParams(String(init!.body)))).toEqual({ token: pat, resource: CRM });
  });

  it('carries the key’s policy into the principal (IP allowlist, rate limit with its lineage’s bucket)', async () => {
    answers.set(pat, () =>
      json(
        active({
          credential_type: 'api_key',
          consumer_id: 'consumer-1',
          ip_allowlist: ['10.0.0.0/8'],
          rate_limit: { requests: 5, per_seconds: 60, bucket: 'lineage-1' },
        }),
      ),
    );
    expect((await verify(pat)).constraints).toEqual({
      ipAllowlist: ['10.0.0.0/8'],
      rateLimit: { requests: 5, perSeconds: 60, bucket: 'lineage-1' },
    });
  });

  describe('the cache', () => {
    it('trusts an active result for 30 s', async () => {
      await verify(pat);
      now = T + 29_999;
      await verify(pat);
      expect(fetch).toHaveBeenCalledTimes(1);
      now = T + 30_000;
      await verify(pat);
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    it('never past the credential’s own expiry', async () => {
      answers.set(pat, () => json(active({ exp: T / 1000 + 10 })));
      await verify(pat);
      now = T + 10_000;
      answers.set(pat, () => json({ active: false }));
      expect(await refusal(verify(pat))).toEqual({ code: 'invalid_token', reason: 'inactive', status: 401 });
    });

    it('remembers “not active” for 5 s only, to absorb floods of the same bad credential', async () => {
      answers.delete(pat);
      expect(await refusal(verify(pat))).toEqual({ code: 'invalid_token', reason: 'inactive', status: 401 });
      answers.set(pat, () => json(active()));
      now = T + 4_999;
      expect(await refusal(verify(pat))).toMatchObject({ reason: 'inactive' });
      now = T + 5_000;
      await expect(verify(pat)).resolves.toMatchObject({ credentialId: 'pat-1' });
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    it('sends one request for concurrent checks of the same credential', async () => {
      let release!: () => void;
      answers.set(pat, () => new Promise<void>((resolve) => (release = resolve)).then(() => json(active())));
      const checks = Promise.all([verify(pat), verify(pat), verify(pat)]);
      await vi.waitFor(() => expect(release).toBeDefined());
      release();
      expect(await checks).toHaveLength(3);
      expect(fetch).toHaveBeenCalledTimes(1);
    });

    it('forgets a credential on evictCredential (revocation feed)', async () => {
      await verify(pat);
      sut.evictCredential('pat-1');
      answers.set(pat, () => json({ active: false }));
      expect(await refusal(verify(pat))).toMatchObject({ reason: 'inactive' });
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    it('forgets a subject’s credentials and every “not active” on evictSubject, and keeps the rest', async () => {
      const keyOfOtherUser = generateCredential('pat');
      answers.set(keyOfOtherUser, () => json(active({ credential_id: 'pat-2', sub: 'user-2', user_id: 'user-2' })));
      await verify(pat);
      await verify(keyOfOtherUser);
      await refusal(verify(otherPat));

      sut.evictSubject('user', 'user-1');
      await verify(pat);
      await verify(keyOfOtherUser);
      await refusal(verify(otherPat));

      const introspected = fetch.mock.calls.map(([, init]) => new URLSearchParams(String(init!.body)).get('token'));
      expect(introspected).toEqual([pat, keyOfOtherUser, otherPat, pat, otherPat]);
    });

    it('is bypassed while not trusted (revocation feed down too long), and used again once trusted', async () => {
      await verify(pat);
      sut.trustCache(false);
      await verify(pat);
      await verify(pat);
      expect(fetch).toHaveBeenCalledTimes(3);
      sut.trustCache(true);
      await verify(pat);
      await verify(pat);
      expect(fetch).toHaveBeenCalledTimes(4);
    });
  });

  describe('cached: what verify would accept from memory alone', () => {
    const cached = (credential: string) => sut.cached(credential);

    it('answers a credential verified before, until the cache would introspect it again', async () => {
      expect(cached(pat)).toBeUndefined();
      const principal = await verify(pat);
      expect(cached(pat)).toBe(principal);
      now = T + 30_000;
      expect(cached(pat)).toBeUndefined();
    });

    it('never answers a “not active”, an evicted credential, or while the cache is not trusted', async () => {
      await refusal(verify(otherPat));
      expect(cached(otherPat)).toBeUndefined();
      await verify(pat);
      sut.evictCredential('pat-1');
      expect(cached(pat)).toBeUndefined();
      await verify(pat);
      sut.trustCache(false);
      expect(cached(pat)).toBeUndefined();
    });

    it('never answers an active credential that verify refuses here (restricted to another resource)', async () => {
      answers.set(pat, () => json(active({ aud: ['https://billing.tollgate.test'] })));
      await refusal(verify(pat));
      expect(cached(pat)).toBeUndefined();
      expect(fetch).toHaveBeenCalledTimes(1);
    });

    it('answers only the exact string verified (it is not parsed again): not a typo of it, not one verify refused unread', async () => {
      sut = create({ acceptedEnvironments: ['live'] });
      const liveKey = generateCredential('api_key', { environment: 'live' });
      const testKey = generateCredential('api_key', { environment: 'test' });
      answers.set(liveKey, () => json(active({ credential_type: 'api_key' })));
      answers.set(testKey, () => json(active({ credential_type: 'api_key' })));
      await verify(liveKey);
      await refusal(verify(testKey));

      const typo = liveKey.slice(0, 12) + (liveKey[12] === 'a' ? 'b' : 'a') + liveKey.slice(13);
      expect(cached(liveKey)).toBeDefined();
      expect(cached(typo)).toBeUndefined();
      expect(cached(testKey)).toBeUndefined();
      expect(cached(liveKey.replace('tgk_', 'tgs_'))).toBeUndefined();
    });
  });

  describe('refusals', () => {
    it('refuses an API key of an environment this service does not accept, before any request', async () => {
      sut = create({ acceptedEnvironments: ['live'] });
      const testKey = generateCredential('api_key', { environment: 'test' });
      expect(await refusal(verify(testKey))).toEqual({
        code: 'invalid_token',
        reason: 'wrong_environment',
        status: 401,
      });
      expect(fetch).not.toHaveBeenCalled();
    });

    it('refuses a credential restricted to other resources, and accepts one restricted to this one', async () => {
      answers.set(pat, () => json(active({ aud: ['https://billing.tollgate.test'] })));
      answers.set(otherPat, () =>
        json(active({ credential_id: 'pat-2', aud: ['https://billing.tollgate.test', CRM] })),
      );
      expect(await refusal(verify(pat))).toEqual({ code: 'invalid_token', reason: 'wrong_audience', status: 401 });
      await expect(verify(otherPat)).resolves.toMatchObject({ credentialId: 'pat-2' });
    });

    it('refuses an active credential of a type it does not take here (a JWT’s introspection)', async () => {
      answers.set(pat, () => json({ ...active(), credential_type: 'access_token' }));
      expect(await refusal(verify(pat))).toEqual({ code: 'invalid_token', reason: 'unexpected_type', status: 401 });
    });
  });

  describe('when the answer cannot be had: 503, never “invalid”, and nothing cached', () => {
    it.each([
      ['unreachable', () => Promise.reject(new TypeError('fetch failed')), 'introspection_unreachable'],
      ['refusing this service (401)', () => json({ error: 'invalid_client' }, 401), 'introspection_unauthorized'],
      ['failing (500)', () => json({ error: 'server_error' }, 500), 'introspection_failed'],
    ])('the authorization server %s', async (_label, answer, reason) => {
      answers.set(pat, answer);
      expect(await refusal(verify(pat))).toEqual({ code: 'temporarily_unavailable', reason, status: 503 });
      answers.set(pat, () => json(active()));
      await expect(verify(pat)).resolves.toMatchObject({ credentialId: 'pat-1' });
    });
  });
});
