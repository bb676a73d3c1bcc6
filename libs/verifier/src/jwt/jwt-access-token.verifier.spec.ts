import { createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { LocalSigningKey, TEST_ISSUER, TEST_RESOURCE } from '../../../../test/support/local-signing-key.js';
import { VerificationError } from '../verification-error.js';
import { JwtAccessTokenVerifier, MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from './jwt-access-token.verifier.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const SECONDS = Math.floor(T / 1000);

/** The refusal a verification ended with (or fails the test if it was accepted). */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string; status: number }> {
  const error = await promise.then(
    () => expect.fail('the token was accepted'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VerificationError);
  const { code, reason, status } = error as VerificationError;
  return { code, reason, status };
}

const invalidToken = (reason: string) => ({ code: 'invalid_token', reason, status: 401 });

describe(JwtAccessTokenVerifier.name, () => {
  let now: number;
  let key: LocalSigningKey;
  let sut: JwtAccessTokenVerifier;

  beforeAll(async () => {
    key = await LocalSigningKey.create(() => T);
  });

  beforeEach(() => {
    now = T;
    sut = new JwtAccessTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_RESOURCE,
      keys: key.keys,
      now: () => new Date(now),
    });
  });

  it('accepts a well-formed token and describes its caller', async () => {
    const token = await key.sign({
      jti: 'jti-1',
      scope: 'contacts:read contacts:write',
      aud: ['https://other.test', TEST_RESOURCE],
    });

    const { principal, claims } = await sut.verify(token);

    expect(principal).toEqual({
      credentialType: 'access_token',
      credentialId: 'jti-1',
      subject: 'client-1',
      clientId: 'client-1',
      userId: undefined,
      patId: undefined,
      scopes: new Set(['contacts:read', 'contacts:write']),
      audience: ['https://other.test', TEST_RESOURCE],
      issuedAt: new Date(SECONDS * 1000),
      expiresAt: new Date((SECONDS + 300) * 1000),
      keyId: key.kid,
    });
    expect(claims).toMatchObject({ client_id: 'client-1', jti: 'jti-1' });
  });

  it('treats a token exchanged for a PAT as acting for the PAT’s user (pat_id)', async () => {
    const { principal } = await sut.verify(await key.sign({ sub: 'user-1', client_id: 'gateway', pat_id: 'pat-1' }));
    expect(principal).toMatchObject({ subject: 'user-1', clientId: 'gateway', userId: 'user-1', patId: 'pat-1' });
  });

  describe('algorithm allow-list', () => {
    it('refuses an allowed key used with an algorithm outside the list (ES384)', async () => {
      const es384 = await generateKeyPair('ES384');
      const token = await key.sign({}, { alg: 'ES384' }, es384.privateKey);
      expect(await refusal(sut.verify(token))).toEqual(invalidToken('alg_not_allowed'));
    });

    it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
      const token = await key.sign(
        {},
        { alg: 'HS256' },
        new TextEncoder().encode(JSON.stringify(key.publicJwk)) as never,
      );
      expect(await refusal(sut.verify(token))).toEqual(invalidToken('alg_not_allowed'));
    });

    it('refuses alg none, with or without a signature segment', async () => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode({ iss: TEST_ISSUER, aud: TEST_RESOURCE, sub: 'a', client_id: 'a', jti: 'j', iat: SECONDS, exp: SECONDS + 60 })}`;
      expect(await refusal(sut.verify(`${unsigned}.`))).toEqual(invalidToken('malformed'));
      expect(await refusal(sut.verify(`${unsigned}.c2lnbmF0dXJl`))).toEqual(invalidToken('alg_not_allowed'));
    });

    it('accepts EdDSA by default and only what it is configured with otherwise', async () => {
      const ed = await generateKeyPair('EdDSA', { extractable: true });
      const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA' }] });
      const token = await key.sign({}, { alg: 'EdDSA', kid: 'ed-1' }, ed.privateKey);
      const defaults = new JwtAccessTokenVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_RESOURCE,
        keys,
        now: () => new Date(now),
      });
      const es256Only = new JwtAccessTokenVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_RESOURCE,
        keys,
        algorithms: ['ES256'],
        now: () => new Date(now),
      });

      expect((await defaults.verify(token)).principal.keyId).toBe('ed-1');
      expect(await refusal(es256Only.verify(token))).toEqual(invalidToken('alg_not_allowed'));
    });
  });

  it.each([
    ['missing', undefined],
    ['JWT', 'JWT'],
    ['application/jwt', 'application/jwt'],
  ])('refuses a token whose typ is %s, not at+jwt (RFC 9068 §4)', async (_label, typ) => {
    expect(await refusal(sut.verify(await key.sign({}, { typ })))).toEqual(invalidToken('wrong_type'));
  });

  it('accepts typ application/at+jwt, the same media type in full (RFC 9068 §2.1)', async () => {
    await expect(sut.verify(await key.sign({}, { typ: 'application/at+jwt' }))).resolves.toBeDefined();
  });

  it('refuses a token from another issuer', async () => {
    expect(await refusal(sut.verify(await key.sign({ iss: 'https://evil.test' })))).toEqual(
      invalidToken('wrong_issuer'),
    );
    expect(await refusal(sut.verify(await key.sign({ iss: undefined })))).toEqual(invalidToken('wrong_issuer'));
  });

  it('refuses a token meant for another resource, or for none (RFC 8707)', async () => {
    expect(await refusal(sut.verify(await key.sign({ aud: 'https://other.test' })))).toEqual(
      invalidToken('wrong_audience'),
    );
    expect(await refusal(sut.verify(await key.sign({ aud: ['https://a.test', 'https://b.test'] })))).toEqual(
      invalidToken('wrong_audience'),
    );
    expect(await refusal(sut.verify(await key.sign({ aud: undefined })))).toEqual(invalidToken('wrong_audience'));
  });

  describe('time, with 5 s of clock skew', () => {
    it('accepts a token less than 5 s past its exp, and refuses it from then on', async () => {
      const token = await key.sign({ exp: SECONDS + 60 });
      now = T + 64_999;
      await expect(sut.verify(token)).resolves.toBeDefined();
      now = T + 65_000;
      expect(await refusal(sut.verify(token))).toEqual(invalidToken('expired'));
    });

    it('accepts a token up to 5 s before its nbf, and refuses it earlier', async () => {
      expect(await refusal(sut.verify(await key.sign({ nbf: SECONDS + 6 })))).toEqual(invalidToken('not_yet_valid'));
      await expect(sut.verify(await key.sign({ nbf: SECONDS + 5 }))).resolves.toBeDefined();
    });

    it('refuses an iat in the future beyond the skew (it would outlive “revoke all issued before T”)', async () => {
      expect(await refusal(sut.verify(await key.sign({ iat: SECONDS + 6, exp: SECONDS + 300 })))).toEqual(
        invalidToken('not_yet_valid'),
      );
      await expect(sut.verify(await key.sign({ iat: SECONDS + 5, exp: SECONDS + 300 }))).resolves.toBeDefined();
    });

    it('honours a configured tolerance', async () => {
      const strict = new JwtAccessTokenVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_RESOURCE,
        keys: key.keys,
        clockToleranceSeconds: 0,
        now: () => new Date(now),
      });
      const token = await key.sign({ exp: SECONDS + 60 });
      now = T + 61_000;
      expect(await refusal(strict.verify(token))).toEqual(invalidToken('expired'));
    });
  });

  it('refuses a token that lives longer than the ceiling (lifetime_too_long), and accepts one at it', async () => {
    const atCeiling = await key.sign({ exp: SECONDS + MAX_ACCESS_TOKEN_LIFETIME_SECONDS });
    const beyond = await key.sign({ exp: SECONDS + MAX_ACCESS_TOKEN_LIFETIME_SECONDS + 1 });
    await expect(sut.verify(atCeiling)).resolves.toBeDefined();
    expect(await refusal(sut.verify(beyond))).toEqual(invalidToken('lifetime_too_long'));
  });

  it.each(['exp', 'iat', 'jti', 'sub', 'client_id'])('refuses a token without %s', async (claim) => {
    expect(await refusal(sut.verify(await key.sign({ [claim]: undefined })))).toEqual(invalidToken('invalid_claim'));
  });

  it('refuses required claims of the wrong type, and a scope that is not a string', async () => {
    expect(await refusal(sut.verify(await key.sign({ iat: String(SECONDS) })))).toEqual(invalidToken('invalid_claim'));
    expect(await refusal(sut.verify(await key.sign({ nbf: 'soon' })))).toEqual(invalidToken('invalid_claim'));
    expect(await refusal(sut.verify(await key.sign({ client_id: 42 })))).toEqual(invalidToken('missing_claims'));
    expect(await refusal(sut.verify(await key.sign({ scope: ['contacts:read'] })))).toEqual(invalidToken('malformed'));
  });

  describe('keys', () => {
    it('refuses a token signed by another key under the published kid', async () => {
      const forger = await generateKeyPair('ES256');
      expect(await refusal(sut.verify(await key.sign({}, {}, forger.privateKey)))).toEqual(
        invalidToken('bad_signature'),
      );
    });

    it('refuses a token under an unknown kid, even with its key embedded in the header (jwk)', async () => {
      const forger = await generateKeyPair('ES256', { extractable: true });
      const token = await key.sign({}, { kid: 'attacker', jwk: await exportJWK(forger.publicKey) }, forger.privateKey);
      expect(await refusal(sut.verify(token))).toEqual(invalidToken('unknown_key'));
    });

    it('answers 503 temporarily_unavailable, not invalid_token, when the keys cannot be fetched', async () => {
      const unreachable = new JwtAccessTokenVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_RESOURCE,
        keys: () => Promise.reject(new TypeError('fetch failed')),
        now: () => new Date(now),
      });
      expect(await refusal(unreachable.verify(await key.sign()))).toEqual({
        code: 'temporarily_unavailable',
        reason: 'keys_unavailable',
        status: 503,
      });
    });
  });

  describe('before any parsing', () => {
    it('refuses a token longer than the limit', async () => {
      const short = new JwtAccessTokenVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_RESOURCE,
        keys: key.keys,
        maxTokenLength: 100,
        now: () => new Date(now),
      });
      expect(await refusal(short.verify(await key.sign()))).toEqual(invalidToken('too_long'));
    });

    it.each(['', 'a.b', 'a.b.c.d', 'a.b.c d', 'tgp_abc'])('refuses %j as not a compact JWS', async (token) => {
      expect(await refusal(sut.verify(token))).toEqual(invalidToken('malformed'));
    });

    it('refuses three base64url segments that are not JSON', async () => {
      expect(await refusal(sut.verify('aaaa.bbbb.cccc'))).toEqual(invalidToken('malformed'));
    });
  });

  it('never echoes the token in its description', async () => {
    const token = await key.sign({ iss: 'https://evil.test' });
    const error = (await sut.verify(token).catch((e: unknown) => e)) as VerificationError;
    expect(error.description).not.toContain(token.split('.')[1]);
    expect(error.description).not.toContain('evil');
  });
});
