import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { accessTokenHash, jwkThumbprint, normalizeHtu } from './dpop-proof.js';

/**
 * A client's DPoP key (RFC 9449 §4): it stays in memory, and each request gets a new proof signed
 * with it, naming that request's method and URL (and the access token it carries).
 */
export class DpopKey {
  private constructor(
    readonly alg: 'ES256' | 'EdDSA',
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
  ) {}

  static async generate(alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<DpopKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
    const { kty, crv, x, y } = await exportJWK(publicKey);
    return new DpopKey(alg, privateKey, { kty, crv, x, ...(y !== undefined && { y }) });
  }

  /** The RFC 7638 thumbprint a bound token's `cnf.jkt` holds. */
  thumbprint(): Promise<string> {
    return jwkThumbprint(this.publicJwk);
  }

  /** A proof for one request. */
  proof(request: { method: string; url: string; accessToken?: string; nonce?: string }): Promise<string> {
    return new SignJWT({
      jti: randomBytes(16).toString('base64url'),
      htm: request.method.toUpperCase(),
      htu: normalizeHtu(request.url),
      ...(request.accessToken !== undefined && { ath: accessTokenHash(request.accessToken) }),
      ...(request.nonce !== undefined && { nonce: request.nonce }),
    })
      .setProtectedHeader({ alg: this.alg, typ: 'dpop+jwt', jwk: this.publicJwk })
      .setIssuedAt()
      .sign(this.privateKey);
  }
}
