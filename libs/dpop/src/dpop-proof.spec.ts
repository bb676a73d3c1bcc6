import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DpopKey } from './dpop-key.js';
import { accessTokenHash, DpopProofError, normalizeHtu, verifyDpopProof } from './dpop-proof.js';

const URL_ = 'https://api.example.com/contacts';

async function refusal(proof: Promise<string> | string, expectations = {}): Promise<DpopProofError> {
  const error = await verifyDpopProof(await proof, { method: 'GET', url: URL_, ...expectations }).catch((e) => e);
  expect(error).toBeInstanceOf(DpopProofError);
  return error;
}

describe(verifyDpopProof.name, () => {
  it('accepts ES256 and EdDSA proofs and answers the key thumbprint', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const key = await DpopKey.generate(alg);
      const verified = await verifyDpopProof(await key.proof({ method: 'GET', url: URL_, accessToken: 't' }), {
        method: 'get',
        url: `${URL_}?page=2#top`,
        accessToken: 't',
        expectedThumbprint: await key.thumbprint(),
      });
      expect(verified.thumbprint).toBe(await key.thumbprint());
      expect(verified.jwk).toEqual(key.publicJwk);
    }
  });

  it('refuses a jwk of another type than its alg, an incomplete one, and crit', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const claims = { jti: 'j', htm: 'GET', htu: URL_, iat: Math.floor(Date.now() / 1000) };
    const okpAsEs256 = new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    expect((await refusal(okpAsEs256, { algorithms: ['ES256'] })).reason).toBe('alg_not_allowed');
    const es = await generateKeyPair('ES256');
    const { x } = await exportJWK(es.publicKey);
    const incomplete = new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x } })
      .sign(es.privateKey);
    expect((await refusal(incomplete)).reason).toBe('jwk_type');
    const withCrit = new SignJWT(claims)
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'dpop+jwt',
        jwk: await exportJWK(es.publicKey),
        crit: ['b64'],
        b64: true,
      })
      .sign(es.privateKey);
    expect((await refusal(withCrit)).reason).toBe('crit');
  });

  it('refuses a missing or wrong ath, a wrong thumbprint and a refused nonce', async () => {
    const key = await DpopKey.generate();
    const proof = await key.proof({ method: 'GET', url: URL_ });
    expect((await refusal(proof, { accessToken: 'token' })).reason).toBe('ath_missing');
    const forOther = await key.proof({ method: 'GET', url: URL_, accessToken: 'other' });
    expect((await refusal(forOther, { accessToken: 'token' })).reason).toBe('ath_mismatch');
    expect((await refusal(key.proof({ method: 'GET', url: URL_ }), { expectedThumbprint: 'x' })).reason).toBe(
      'jkt_mismatch',
    );
    const noNonce = await refusal(key.proof({ method: 'GET', url: URL_ }), { nonce: () => false });
    expect(noNonce.code).toBe('use_dpop_nonce');
  });

  it('checks iat against the window, with leeway', async () => {
    const key = await DpopKey.generate();
    const proof = await key.proof({ method: 'GET', url: URL_ });
    const now = Date.now();
    await expect(verifyDpopProof(proof, { method: 'GET', url: URL_, now: now + 300_000 })).resolves.toBeDefined();
    expect((await refusal(proof, { now: now + 320_000 })).reason).toBe('iat_too_old');
    expect((await refusal(proof, { now: now - 20_000 })).reason).toBe('iat_in_future');
  });
});

describe(normalizeHtu.name, () => {
  it('compares scheme, host and path only', () => {
    expect(normalizeHtu('HTTPS://API.Example.com:443/contacts?x=1#f')).toBe('https://api.example.com/contacts');
    expect(normalizeHtu('http://127.0.0.1:8080/a/b')).toBe('http://127.0.0.1:8080/a/b');
    expect(() => normalizeHtu('not a url')).toThrow(DpopProofError);
  });
});

describe(accessTokenHash.name, () => {
  it('is the base64url SHA-256 of the token (RFC 9449 §4.2 example)', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });
});
