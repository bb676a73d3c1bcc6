import { accessTokenHash, jwkThumbprint, normalizeHtu } from '@tollgate/dpop';
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A client's DPoP key for the load generator: proofs are made synchronously (node:crypto), one per
 * request, since autocannon builds each request without waiting. The load generator's CPU is not
 * measured; the proofs are exactly what @tollgate/dpop's DpopKey makes.
 */
export class BenchDpopKey {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly header: string,
    readonly thumbprint: string,
  ) {}

  static async generate(): Promise<BenchDpopKey> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    const jwk = { kty: kty!, crv: crv!, x: x!, y: y! };
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk })).toString('base64url');
    return new BenchDpopKey(privateKey, header, await jwkThumbprint(jwk));
  }

  proof(method: string, url: string, accessToken?: string): string {
    const payload = Buffer.from(
      JSON.stringify({
        jti: randomBytes(12).toString('base64url'),
        htm: method,
        htu: normalizeHtu(url),
        iat: Math.floor(Date.now() / 1000),
        ...(accessToken !== undefined && { ath: accessTokenHash(accessToken) }),
      }),
    ).toString('base64url');
    const input = `${this.header}.${payload}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}
