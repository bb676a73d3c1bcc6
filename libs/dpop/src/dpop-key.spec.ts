import { decodeJwt, decodeProtectedHeader } from 'jose';
import { DpopKey } from './dpop-key.js';
import { accessTokenHash, jwkThumbprint } from './dpop-proof.js';

describe(DpopKey.name, () => {
  it('generates ES256 by default, and EdDSA on Ed25519 when asked, exposing only the public key', async () => {
    const es256 = await DpopKey.generate();
    const eddsa = await DpopKey.generate('EdDSA');

    expect(es256.alg).toBe('ES256');
    expect(Object.keys(es256.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(es256.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(eddsa.alg).toBe('EdDSA');
    expect(Object.keys(eddsa.publicJwk).sort()).toEqual(['crv', 'kty', 'x']);
    expect(eddsa.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(await es256.thumbprint()).toBe(await jwkThumbprint(es256.publicJwk));
  });

  it('makes a proof for one request: typ, jwk, fresh jti, htm, htu without query, iat, ath and nonce', async () => {
    const sut = await DpopKey.generate();

    const proof = await sut.proof({
      method: 'post',
      url: 'HTTPS://Auth.Example.com:443/oauth/token?x=1#f',
      accessToken: 'token',
      nonce: 'server-nonce',
    });

    expect(decodeProtectedHeader(proof)).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk: sut.publicJwk });
    const claims = decodeJwt(proof);
    expect(claims).toMatchObject({
      htm: 'POST',
      htu: 'https://auth.example.com/oauth/token',
      ath: accessTokenHash('token'),
      nonce: 'server-nonce',
    });
    expect(Buffer.from(claims.jti!, 'base64url')).toHaveLength(16);
    expect(claims.iat).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('leaves ath and nonce out when not given, and never repeats a jti', async () => {
    const sut = await DpopKey.generate('EdDSA');
    const request = { method: 'GET', url: 'https://api.example.com/contacts' };

    const [first, second] = [decodeJwt(await sut.proof(request)), decodeJwt(await sut.proof(request))];

    expect(first).not.toHaveProperty('ath');
    expect(first).not.toHaveProperty('nonce');
    expect(first.jti).not.toBe(second.jti);
  });
});
