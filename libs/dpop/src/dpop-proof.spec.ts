import { CompactSign, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { rawJws } from '../../../test/support/jose-forge.js';
import { DpopKey } from './dpop-key.js';
import {
  accessTokenHash,
  DpopProofError,
  type DpopProofExpectations,
  jwkThumbprint,
  normalizeHtu,
  verifyDpopProof,
} from './dpop-proof.js';

const URL_ = 'https://api.example.com/contacts';
const sut = verifyDpopProof;

const request = (expectations: Partial<DpopProofExpectations> = {}) => ({ method: 'GET', url: URL_, ...expectations });

async function refusal(proof: Promise<string> | string, expectations: Partial<DpopProofExpectations> = {}) {
  const error = await sut(await proof, request(expectations)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DpopProofError);
  return error as DpopProofError;
}

const claims = (overrides: Record<string, unknown> = {}) => ({
  jti: crypto.randomUUID(),
  htm: 'GET',
  htu: URL_,
  iat: Math.floor(Date.now() / 1000),
  ...overrides,
});

/** An ES256 proof made by hand, with the header and claims given (undefined leaves a member out). */
async function forged(header: Record<string, unknown> = {}, payload: Record<string, unknown> = {}): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const protectedHeader = { alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey), ...header };
  return new SignJWT(withoutUndefined(claims(payload)))
    .setProtectedHeader(withoutUndefined(protectedHeader) as never)
    .sign(privateKey);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

describe(verifyDpopProof.name, () => {
  describe('accepts', () => {
    it.each(['ES256', 'EdDSA'] as const)('a %s proof made by DpopKey, answering its key and claims', async (alg) => {
      const key = await DpopKey.generate(alg);
      const proof = await key.proof({ method: 'POST', url: URL_, accessToken: 'token' });

      const verified = await sut(proof, request({ method: 'post', accessToken: 'token' }));

      expect(verified.thumbprint).toBe(await key.thumbprint());
      expect(verified.jwk).toEqual(key.publicJwk);
      expect(verified.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(verified.iat).toBeCloseTo(Date.now() / 1000, -1);
    });

    it.each([
      ['a query', `${URL_}?page=2`],
      ['a fragment', `${URL_}#top`],
      ['the default port', 'https://api.example.com:443/contacts'],
      ['another case of scheme and host', 'HTTPS://API.Example.COM/contacts'],
    ])('an htu that differs only by %s', async (_, htu) => {
      const proof = await forged({}, { htu });
      await expect(sut(proof, request())).resolves.toBeDefined();
      await expect(sut(await forged(), request({ url: htu }))).resolves.toBeDefined();
    });

    it('a proof with ath when no access token is expected (ath is then ignored)', async () => {
      const key = await DpopKey.generate();
      await expect(sut(await key.proof({ method: 'GET', url: URL_, accessToken: 't' }), request())).resolves.toEqual(
        expect.objectContaining({ thumbprint: await key.thumbprint() }),
      );
    });

    it('the thumbprint the token is bound to, and a nonce the callback accepts', async () => {
      const key = await DpopKey.generate('EdDSA');
      const nonce = vi.fn(() => true);
      const proof = await key.proof({ method: 'GET', url: URL_, nonce: 'server-nonce' });

      await sut(proof, request({ expectedThumbprint: await key.thumbprint(), nonce }));

      expect(nonce).toHaveBeenCalledWith('server-nonce');
    });

    it('an iat at the edges of the window', async () => {
      const now = Date.now();
      const iat = Math.floor(now / 1000);
      await expect(sut(await forged({}, { iat: iat - 305 }), request({ now }))).resolves.toBeDefined();
      await expect(sut(await forged({}, { iat: iat + 5 }), request({ now }))).resolves.toBeDefined();
      await expect(
        sut(await forged({}, { iat: iat - 60 }), request({ now, maxAgeSeconds: 60 })),
      ).resolves.toBeDefined();
    });
  });

  describe('refuses as invalid_dpop_proof (RFC 9449 §4.3)', () => {
    it.each<[string, () => Promise<string> | string, string]>([
      ['an empty string', () => '', 'malformed'],
      ['garbage', () => 'not a jwt', 'malformed'],
      ['two parts', () => 'eyJhbGciOiJFUzI1NiJ9.e30', 'malformed'],
      ['four parts', async () => `${await forged()}.AAAA`, 'malformed'],
      ['a header that is not JSON', () => `${Buffer.from('{nope').toString('base64url')}.e30.AAAA`, 'malformed'],
      ['a header that is a JSON array', () => `${Buffer.from('[]').toString('base64url')}.e30.AAAA`, 'malformed'],
      ['a proof of 10 KiB', () => forged({}, { padding: 'x'.repeat(10 * 1024) }), 'malformed'],
      ['typ JWT', () => forged({ typ: 'JWT' }), 'wrong_typ'],
      ['no typ', () => forged({ typ: undefined }), 'wrong_typ'],
      ['typ in other case', () => forged({ typ: 'DPOP+JWT' }), 'wrong_typ'],
      ['no jwk', () => forged({ jwk: undefined }), 'jwk_missing'],
      ['a jwk that is a string', () => forged({ jwk: 'key' }), 'jwk_missing'],
      ['a jwk that is an array', () => forged({ jwk: [] }), 'jwk_missing'],
      ['a kid instead of a jwk', () => forged({ jwk: undefined, kid: 'client-key' }), 'jwk_missing'],
      ['a jku instead of a jwk', () => forged({ jwk: undefined, jku: 'https://evil.example/jwks' }), 'jwk_missing'],
      ['an x5u instead of a jwk', () => forged({ jwk: undefined, x5u: 'https://evil.example/cert' }), 'jwk_missing'],
      ['a jwk with the private d', () => privateJwkProof(), 'private_key_in_jwk'],
      ['a symmetric jwk (k)', () => forged({ jwk: { kty: 'oct', k: 'c2VjcmV0' } }), 'private_key_in_jwk'],
      ['an OKP jwk for ES256', () => ed25519Jwk().then((jwk) => forged({ jwk })), 'jwk_type'],
      ['a P-384 jwk for ES256', () => p384Jwk().then((jwk) => forged({ jwk })), 'jwk_type'],
      ['an RSA jwk for ES256', () => rsaJwk().then((jwk) => forged({ jwk })), 'jwk_type'],
      [
        'a jwk without y',
        () => exportJwk('ES256').then((jwk) => forged({ jwk: { ...jwk, y: undefined } })),
        'jwk_type',
      ],
      [
        'a jwk not on the curve',
        () => forged({ jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } }),
        'jwk_invalid',
      ],
      ['crit members', () => forged({ crit: ['b64'], b64: true }), 'crit'],
      ['a payload altered after signing', () => forged().then(altered), 'bad_signature'],
      [
        'a signature by another key than its jwk',
        () => exportJwk('ES256').then((jwk) => forged({ jwk })),
        'bad_signature',
      ],
      ['an empty signature', async () => (await forged()).replace(/[^.]+$/, ''), 'bad_signature'],
      ['a payload that is not JSON', () => signedPayload('not json'), 'malformed'],
      ['a payload that is a JSON string', () => signedPayload('"claims"'), 'malformed'],
      ['no jti', () => forged({}, { jti: undefined }), 'jti'],
      ['an empty jti', () => forged({}, { jti: '' }), 'jti'],
      ['a numeric jti', () => forged({}, { jti: 42 }), 'jti'],
      ['a jti of 257 characters', () => forged({}, { jti: 'j'.repeat(257) }), 'jti'],
      ['another method', () => forged({}, { htm: 'POST' }), 'htm_mismatch'],
      ['htm in lower case', () => forged({}, { htm: 'get' }), 'htm_mismatch'],
      ['no htm', () => forged({}, { htm: undefined }), 'htm_mismatch'],
      ['another path', () => forged({}, { htu: 'https://api.example.com/contacts/1' }), 'htu_mismatch'],
      ['another host', () => forged({}, { htu: 'https://evil.example.com/contacts' }), 'htu_mismatch'],
      ['another scheme', () => forged({}, { htu: 'http://api.example.com/contacts' }), 'htu_mismatch'],
      ['another port', () => forged({}, { htu: 'https://api.example.com:8443/contacts' }), 'htu_mismatch'],
      ['no htu', () => forged({}, { htu: undefined }), 'htu_mismatch'],
      ['an htu that is not a URL', () => forged({}, { htu: '/contacts' }), 'htu_malformed'],
      ['no iat', () => forged({}, { iat: undefined }), 'iat'],
      ['an iat that is a string', () => forged({}, { iat: String(Math.floor(Date.now() / 1000)) }), 'iat'],
      ['an iat too old', () => forged({}, { iat: Math.floor(Date.now() / 1000) - 306 }), 'iat_too_old'],
      [
        'an iat in the future beyond leeway',
        () => forged({}, { iat: Math.floor(Date.now() / 1000) + 7 }),
        'iat_in_future',
      ],
    ])('%s', async (_, proof, reason) => {
      const error = await refusal(proof());
      expect(error).toMatchObject({ name: 'DpopProofError', code: 'invalid_dpop_proof', reason });
      expect(error.description).toBe(error.message);
    });

    it.each([
      ['none', () => noneProof()],
      ['HS256', () => hs256Proof()],
      ['RS256', () => rs256Proof()],
    ])('alg %s, before any signature check', async (_, proof) => {
      expect(await refusal(proof())).toMatchObject({ code: 'invalid_dpop_proof', reason: 'alg_not_allowed' });
    });

    it('an EdDSA proof where only ES256 is allowed', async () => {
      const key = await DpopKey.generate('EdDSA');
      expect(await refusal(proofFor(key), { algorithms: ['ES256'] })).toMatchObject({ reason: 'alg_not_allowed' });
    });

    it('alg RS256 even when the caller lists it (only ES256 and EdDSA are understood)', async () => {
      expect(await refusal(rs256Proof(), { algorithms: ['RS256'] })).toMatchObject({ reason: 'alg_not_allowed' });
    });

    it('anything but a string', async () => {
      expect(await refusal(undefined as never)).toMatchObject({ reason: 'malformed' });
    });

    it('a proof without ath when an access token is presented, or with the ath of another token', async () => {
      const key = await DpopKey.generate();
      expect(await refusal(key.proof({ method: 'GET', url: URL_ }), { accessToken: 'token' })).toMatchObject({
        code: 'invalid_dpop_proof',
        reason: 'ath_missing',
      });
      expect(
        await refusal(key.proof({ method: 'GET', url: URL_, accessToken: 'other' }), { accessToken: 'token' }),
      ).toMatchObject({ code: 'invalid_dpop_proof', reason: 'ath_mismatch' });
    });

    it('a proof by another key than the token is bound to', async () => {
      const [key, other] = await Promise.all([DpopKey.generate(), DpopKey.generate()]);
      expect(
        await refusal(key.proof({ method: 'GET', url: URL_ }), { expectedThumbprint: await other.thumbprint() }),
      ).toMatchObject({
        code: 'invalid_dpop_proof',
        reason: 'jkt_mismatch',
        description: 'The DPoP proof is not signed with the key the access token is bound to',
      });
    });
  });

  describe('asks for the server nonce (RFC 9449 §8)', () => {
    it('as use_dpop_nonce when the callback refuses the nonce, or its absence', async () => {
      const key = await DpopKey.generate();
      const nonce = vi.fn(() => false);
      expect(await refusal(key.proof({ method: 'GET', url: URL_ }), { nonce })).toMatchObject({
        code: 'use_dpop_nonce',
        reason: 'nonce',
        description: 'Send a DPoP proof with the server nonce (DPoP-Nonce header)',
      });
      expect(nonce).toHaveBeenCalledWith(undefined);
    });

    it('only after the signature verified', async () => {
      const nonce = vi.fn(() => false);
      expect(await refusal(forged().then(altered), { nonce })).toMatchObject({ reason: 'bad_signature' });
      expect(nonce).not.toHaveBeenCalled();
    });
  });
});

describe(normalizeHtu.name, () => {
  it('keeps scheme, host, non-default port and path; drops query, fragment and the default port', () => {
    expect(normalizeHtu('HTTPS://API.Example.com:443/contacts?x=1#f')).toBe('https://api.example.com/contacts');
    expect(normalizeHtu('http://127.0.0.1:8080/a/b')).toBe('http://127.0.0.1:8080/a/b');
    expect(normalizeHtu('http://example.com:80')).toBe('http://example.com/');
  });

  it('refuses what is not an absolute URL', () => {
    for (const url of ['not a url', '/contacts', ''])
      expect(() => normalizeHtu(url)).toThrow(expect.objectContaining({ code: 'invalid_dpop_proof' }));
  });
});

describe(accessTokenHash.name, () => {
  it('is the base64url SHA-256 of the token (RFC 9449 §4.2 example)', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });
});

describe(jwkThumbprint.name, () => {
  it('is the RFC 7638 SHA-256 thumbprint (RFC 7638 §3.1 example)', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    };
    expect(await jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

function proofFor(key: DpopKey): Promise<string> {
  return key.proof({ method: 'GET', url: URL_ });
}

async function exportJwk(alg: 'ES256' | 'EdDSA'): Promise<JWK> {
  return exportJWK((await generateKeyPair(alg)).publicKey);
}

async function ed25519Jwk(): Promise<JWK> {
  return exportJwk('EdDSA');
}

async function p384Jwk(): Promise<JWK> {
  return exportJWK((await generateKeyPair('ES384')).publicKey);
}

async function rsaJwk(): Promise<JWK> {
  return exportJWK((await generateKeyPair('RS256')).publicKey);
}

async function privateJwkProof(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return new SignJWT(claims())
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(privateKey) })
    .sign(privateKey);
}

function noneProof(): Promise<string> {
  return exportJwk('ES256').then((jwk) => rawJws({ typ: 'dpop+jwt', alg: 'none', jwk }, claims()));
}

async function hs256Proof(): Promise<string> {
  return new SignJWT(claims())
    .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: await exportJwk('ES256') })
    .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
}

async function rs256Proof(): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return new SignJWT(claims())
    .setProtectedHeader({ alg: 'RS256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

/** The signed proof with its payload swapped for other claims (the signature no longer matches). */
function altered(proof: string): string {
  const [header, , signature] = proof.split('.');
  const payload = Buffer.from(JSON.stringify(claims({ htm: 'DELETE' }))).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A correctly signed proof whose payload is the bytes given. */
async function signedPayload(payload: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}
