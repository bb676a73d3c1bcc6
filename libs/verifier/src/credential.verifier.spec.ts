import { generateCredential } from '@tollgate/credentials';
import { MemoryRateLimiter } from '@tollgate/rate-limit';
import { LocalSigningKey, TEST_ISSUER, TEST_RESOURCE } from '../../../test/support/local-signing-key.js';
import {
  CredentialVerifier,
  type CredentialVerifierOptions,
  type OpaqueCredentialVerifier,
} from './credential.verifier.js';
import { JwtAccessTokenVerifier } from './jwt/jwt-access-token.verifier.js';
import type { Principal } from './principal.js';
import { RevocationList } from './revocation/revocation-list.js';
import { invalidToken, VerificationError } from './verification-error.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const CONTEXT = { address: '203.0.113.7' };

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; reason: string; status: number; headers: Record<string, string> }> {
  const error = await promise.then(
    () => expect.fail('the credential was accepted'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VerificationError);
  const { code, reason, status, headers } = error as VerificationError;
  return { code, reason, status, headers };
}

function apiKeyPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    credentialType: 'api_key',
    credentialId: 'key-1',
    subject: 'consumer-1',
    consumerId: 'consumer-1',
    scopes: new Set(['contacts:read']),
    audience: [],
    issuedAt: new Date(T),
    ...overrides,
  };
}

describe(CredentialVerifier.name, () => {
  let now: number;
  let key: LocalSigningKey;
  let jwt: JwtAccessTokenVerifier;
  let revocations: RevocationList;
  let opaque: { verify: ReturnType<typeof vi.fn<OpaqueCredentialVerifier['verify']>> };
  let sut: CredentialVerifier;

  const create = (options: Partial<CredentialVerifierOptions> = {}) =>
    new CredentialVerifier({
      jwt,
      opaque,
      revocations,
      rateLimiter: new MemoryRateLimiter(() => now),
      now: () => now,
      ...options,
    });

  beforeAll(async () => {
    key = await LocalSigningKey.create(() => now);
  });

  beforeEach(() => {
    now = T;
    jwt = new JwtAccessTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_RESOURCE,
      keys: key.keys,
      now: () => new Date(now),
    });
    vi.spyOn(jwt, 'verify');
    revocations = new RevocationList(() => now);
    opaque = { verify: vi.fn<OpaqueCredentialVerifier['verify']>().mockResolvedValue(apiKeyPrincipal()) };
    sut = create();
  });

  describe('JWTs', () => {
    it('verifies a token once, then answers from the cache until it expires', async () => {
      const token = await key.sign({ jti: 'jti-1', exp: Math.floor(T / 1000) + 60 });

      const first = await sut.verifyRequest(token, CONTEXT);
      const second = await sut.verifyRequest(token, CONTEXT);

      expect(first).toEqual({
        principal: expect.objectContaining({ credentialId: 'jti-1', keyId: key.kid }),
        headers: {},
      });
      expect(second.principal).toBe(first.principal);
      expect(jwt.verify).toHaveBeenCalledTimes(1);
      // From exp on, the cache no longer answers; the skew is the JWT verifier's to grant.
      now = T + 60_000;
      await sut.verify(token, CONTEXT);
      expect(jwt.verify).toHaveBeenCalledTimes(2);
      now = T + 65_000;
      expect(await refusal(sut.verify(token, CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'expired',
        status: 401,
      });
      expect(jwt.verify).toHaveBeenCalledTimes(3);
    });

    it('does not cache a refusal', async () => {
      const token = await key.sign({ iss: 'https://evil.test' });
      expect(await refusal(sut.verify(token, CONTEXT))).toMatchObject({ reason: 'wrong_issuer' });
      expect(await refusal(sut.verify(token, CONTEXT))).toMatchObject({ reason: 'wrong_issuer' });
      expect(jwt.verify).toHaveBeenCalledTimes(2);
    });

    it('refuses a cached token as soon as it is revoked', async () => {
      const token = await key.sign({ jti: 'jti-1' });
      await sut.verify(token, CONTEXT);

      revocations.revokeToken('jti-1', new Date(T + 300_000));

      expect(await refusal(sut.verify(token, CONTEXT))).toEqual({
        code: 'invalid_token',
        reason: 'revoked',
        status: 401,
        headers: {},
      });
    });

    it('refuses a cached token as soon as its signing key is retired', async () => {
      const token = await key.sign();
      await sut.verify(token, CONTEXT);

      revocations.retireKey(key.kid);

      expect(await refusal(sut.verify(token, CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'signing_key_retired',
      });
    });

    it('verifies afresh after clearCache', async () => {
      const token = await key.sign();
      await sut.verify(token, CONTEXT);
      sut.clearCache();
      await sut.verify(token, CONTEXT);
      expect(jwt.verify).toHaveBeenCalledTimes(2);
    });

    it('keeps at most cacheSize tokens (least recently used goes first)', async () => {
      sut = create({ cacheSize: 2 });
      const [a, b, c] = await Promise.all([key.sign(), key.sign(), key.sign()]);
      for (const token of [a, b, c, b, c]) await sut.verify(token, CONTEXT);
      expect(jwt.verify).toHaveBeenCalledTimes(3);
      await sut.verify(a, CONTEXT);
      expect(jwt.verify).toHaveBeenCalledTimes(4);
    });

    it('with an authoritative check, runs it on every request and caches nothing', async () => {
      const checkAccessToken = vi
        .fn<NonNullable<CredentialVerifierOptions['checkAccessToken']>>()
        .mockResolvedValue(undefined);
      sut = create({ checkAccessToken });
      const token = await key.sign({ jti: 'jti-1' });

      await sut.verify(token, CONTEXT);
      checkAccessToken.mockRejectedValueOnce(invalidToken('The access token has been revoked', 'revoked_in_database'));

      expect(await refusal(sut.verify(token, CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'revoked_in_database',
      });
      expect(checkAccessToken).toHaveBeenCalledTimes(2);
      expect(checkAccessToken).toHaveBeenLastCalledWith(
        expect.objectContaining({ jti: 'jti-1' }),
        expect.objectContaining({ credentialId: 'jti-1' }),
      );
      expect(jwt.verify).toHaveBeenCalledTimes(2);
    });
  });

  describe('verifyAccessToken (servers that are not HTTP, e.g. the MQTT broker)', () => {
    it('answers the principal and the claims, from the same cache as verifyRequest', async () => {
      const token = await key.sign({ jti: 'jti-1', scope: 'devices:read' });

      await sut.verifyRequest(token, CONTEXT);
      const verified = await sut.verifyAccessToken(token);

      expect(verified.principal).toMatchObject({ credentialId: 'jti-1', scopes: new Set(['devices:read']) });
      expect(verified.claims).toMatchObject({ jti: 'jti-1', scope: 'devices:read', client_id: 'client-1' });
      expect(jwt.verify).toHaveBeenCalledTimes(1);
    });

    it('refuses a revoked token, and a token of a retired key, even when cached', async () => {
      const [revoked, retired] = await Promise.all([key.sign({ jti: 'jti-1' }), key.sign({ jti: 'jti-2' })]);
      await sut.verifyAccessToken(revoked);
      await sut.verifyAccessToken(retired);

      revocations.revokeToken('jti-1', new Date(T + 300_000));
      expect(await refusal(sut.verifyAccessToken(revoked))).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
      revocations.retireKey(key.kid);
      expect(await refusal(sut.verifyAccessToken(retired))).toMatchObject({
        code: 'invalid_token',
        reason: 'signing_key_retired',
      });
    });

    it('takes JWTs only, and skips the credential’s HTTP policy', async () => {
      expect(await refusal(sut.verifyAccessToken(generateCredential('pat')))).toMatchObject({
        code: 'invalid_token',
        reason: 'malformed',
      });
      expect(opaque.verify).not.toHaveBeenCalled();
    });
  });

  describe('rememberedAccessToken (verifyAccessToken without waiting)', () => {
    it('answers what verifyAccessToken answered, until the token expires, and nothing before it was verified', async () => {
      const token = await key.sign({ jti: 'jti-1', scope: 'device', exp: Math.floor(T / 1000) + 60 });
      expect(sut.rememberedAccessToken(token)).toBeUndefined();
      const verified = await sut.verifyAccessToken(token);
      expect(sut.rememberedAccessToken(token)).toBe(verified);
      now = T + 60_000;
      expect(sut.rememberedAccessToken(token)).toBeUndefined();
    });

    it('answers nothing for a revoked token or one of a retired key, leaving the refusal to verifyAccessToken', async () => {
      const [revoked, retired] = await Promise.all([key.sign({ jti: 'jti-1' }), key.sign({ jti: 'jti-2' })]);
      await sut.verifyAccessToken(revoked);
      await sut.verifyAccessToken(retired);
      revocations.revokeToken('jti-1', new Date(T + 300_000));
      expect(sut.rememberedAccessToken(revoked)).toBeUndefined();
      expect(sut.rememberedAccessToken(retired)).toBeDefined();
      revocations.retireKey(key.kid);
      expect(sut.rememberedAccessToken(retired)).toBeUndefined();
    });

    it('remembers nothing where every token must be checked (the auth-server’s checkAccessToken)', async () => {
      sut = create({ checkAccessToken: async () => {} });
      const token = await key.sign({ jti: 'jti-1' });
      await sut.verifyAccessToken(token);
      expect(sut.rememberedAccessToken(token)).toBeUndefined();
    });
  });

  describe('opaque credentials', () => {
    it('hands a well-formed PAT or API key to the opaque verifier, with the caller’s context', async () => {
      const apiKey = generateCredential('api_key', { environment: 'live' });

      const { principal } = await sut.verifyRequest(apiKey, CONTEXT);

      expect(principal).toEqual(apiKeyPrincipal());
      expect(opaque.verify).toHaveBeenCalledWith(
        apiKey,
        expect.objectContaining({ kind: 'api_key', environment: 'live' }),
        CONTEXT,
      );
      expect(jwt.verify).not.toHaveBeenCalled();
    });

    it('refuses a credential whose checksum does not match before any I/O', async () => {
      const pat = generateCredential('pat');
      const typo = pat.slice(0, 10) + (pat[10] === 'a' ? 'b' : 'a') + pat.slice(11);
      expect(await refusal(sut.verify(typo, CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'checksum',
        status: 401,
      });
      expect(opaque.verify).not.toHaveBeenCalled();
    });

    it('refuses a client secret presented as a bearer token', async () => {
      expect(await refusal(sut.verify(generateCredential('client_secret'), CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'client_secret',
      });
      expect(opaque.verify).not.toHaveBeenCalled();
    });

    it('refuses PATs and API keys where only JWTs are accepted', async () => {
      sut = create({ opaque: undefined });
      expect(await refusal(sut.verify(generateCredential('pat'), CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'opaque_not_accepted',
      });
    });

    it('refuses a revoked one even when the opaque verifier still says active', async () => {
      revocations.revokeCredential('key-1');
      expect(await refusal(sut.verify(generateCredential('api_key', { environment: 'test' }), CONTEXT))).toMatchObject({
        code: 'invalid_token',
        reason: 'revoked',
      });
    });
  });

  describe('cachedPrincipal (what a request may take without verifying again)', () => {
    it('answers a JWT verified before until its expiry, and nothing before it was verified', async () => {
      const token = await key.sign({ jti: 'jti-cached', exp: Math.floor(T / 1000) + 60 });
      expect(sut.cachedPrincipal(token)).toBeUndefined();
      const { principal } = await sut.verifyRequest(token, CONTEXT);
      expect(sut.cachedPrincipal(token)).toBe(principal);
      now = T + 60_000;
      expect(sut.cachedPrincipal(token)).toBeUndefined();
    });

    it('remembers no JWT where every token must be checked (the auth-server’s checkAccessToken)', async () => {
      sut = create({ checkAccessToken: async () => undefined });
      const token = await key.sign();
      await sut.verifyRequest(token, CONTEXT);
      expect(sut.cachedPrincipal(token)).toBeUndefined();
    });

    it('asks the opaque verifier’s memory for Tollgate credentials only, and not for a JWT it does not remember', async () => {
      const cached = vi.fn<NonNullable<OpaqueCredentialVerifier['cached']>>().mockReturnValue(apiKeyPrincipal());
      sut = create({ opaque: { ...opaque, cached } });
      const apiKey = generateCredential('api_key', { environment: 'live' });

      expect(sut.cachedPrincipal(apiKey)).toEqual(apiKeyPrincipal());
      expect(sut.cachedPrincipal(await key.sign())).toBeUndefined();
      expect(cached.mock.calls).toEqual([[apiKey]]);
    });
  });

  describe('the credential’s own policy', () => {
    const apiKey = generateCredential('api_key', { environment: 'live' });

    it('refuses an address outside the allowlist with 403 access_denied, naming the caller', async () => {
      opaque.verify.mockResolvedValue(apiKeyPrincipal({ constraints: { ipAllowlist: ['198.51.100.0/24'] } }));

      const error = (await sut.verifyRequest(apiKey, CONTEXT).catch((e: unknown) => e)) as VerificationError;

      expect({ code: error.code, reason: error.reason, status: error.status }).toEqual({
        code: 'access_denied',
        reason: 'ip_not_allowed',
        status: 403,
      });
      expect(error.principal).toMatchObject({ credentialId: 'key-1' });
      await expect(sut.verify(apiKey, { address: '198.51.100.20' })).resolves.toMatchObject({ credentialId: 'key-1' });
    });

    it('answers the RateLimit fields on every request, and 429 with Retry-After past the limit', async () => {
      opaque.verify.mockResolvedValue(apiKeyPrincipal({ constraints: { rateLimit: { requests: 2, perSeconds: 10 } } }));

      expect((await sut.verifyRequest(apiKey, CONTEXT)).headers).toEqual({
        'RateLimit-Policy': '"credential";q=2;w=10',
        RateLimit: '"credential";r=1;t=5',
      });
      expect((await sut.verifyRequest(apiKey, CONTEXT)).headers).toEqual({
        'RateLimit-Policy': '"credential";q=2;w=10',
        RateLimit: '"credential";r=0;t=10',
      });
      expect(await refusal(sut.verifyRequest(apiKey, CONTEXT))).toEqual({
        code: 'rate_limited',
        reason: 'rate_limited',
        status: 429,
        headers: {
          'RateLimit-Policy': '"credential";q=2;w=10',
          RateLimit: '"credential";r=0;t=10',
          'Retry-After': '5',
        },
      });
      now = T + 5_000;
      await expect(sut.verifyRequest(apiKey, CONTEXT)).resolves.toBeDefined();
    });

    it('shares one bucket between a rolled key and its predecessor', async () => {
      const policy = { requests: 1, perSeconds: 60, bucket: 'lineage-1' };
      opaque.verify.mockResolvedValueOnce(apiKeyPrincipal({ credentialId: 'old', constraints: { rateLimit: policy } }));
      opaque.verify.mockResolvedValueOnce(apiKeyPrincipal({ credentialId: 'new', constraints: { rateLimit: policy } }));

      await sut.verifyRequest(apiKey, CONTEXT);
      expect(await refusal(sut.verifyRequest(apiKey, CONTEXT))).toMatchObject({ code: 'rate_limited', status: 429 });
    });

    it('checks revocation before the policy, so a revoked key does not spend its bucket', async () => {
      const take = vi.fn();
      sut = create({ rateLimiter: { take } });
      opaque.verify.mockResolvedValue(apiKeyPrincipal({ constraints: { rateLimit: { requests: 1, perSeconds: 60 } } }));
      revocations.revokeCredential('key-1');

      expect(await refusal(sut.verify(apiKey, CONTEXT))).toMatchObject({ reason: 'revoked' });
      expect(take).not.toHaveBeenCalled();
    });
  });
});
