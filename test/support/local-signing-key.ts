import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { randomUUID } from 'node:crypto';

export const TEST_ISSUER = 'https://auth.tollgate.test';
export const TEST_RESOURCE = 'https://crm.tollgate.test';

/** Claims to set; `undefined` leaves a default claim out. */
export type ClaimOverrides = Record<string, unknown>;

/** Header parameters of a signed token; `undefined` leaves a default one out. */
export interface HeaderOverrides {
  alg?: string;
  typ?: string;
  kid?: string;
  [parameter: string]: unknown;
}

/**
 * A real ES256 signing key and its published JWKS, in memory, for unit specs of verifiers: tokens
 * are signed by jose for real, so nothing of the verification is mocked.
 */
export class LocalSigningKey {
  private constructor(
    readonly kid: string,
    readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    /** The JWKS holding only this key, as `JwtAccessTokenVerifier` takes it. */
    readonly keys: JWTVerifyGetKey,
    private readonly now: () => number,
  ) {}

  /** `now`: the clock `iat` and `exp` are counted from (ms since epoch). */
  static async create(now: () => number = Date.now, kid = `kid-${randomUUID().slice(0, 8)}`): Promise<LocalSigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    return new LocalSigningKey(kid, privateKey, publicJwk, createLocalJWKSet({ keys: [publicJwk] }), now);
  }

  /** An RFC 9068 access token for TEST_RESOURCE, valid for 300 s from `now`, with `overrides` applied. */
  sign(
    overrides: ClaimOverrides = {},
    header: HeaderOverrides = {},
    key: CryptoKey = this.privateKey,
  ): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const claims: ClaimOverrides = {
      iss: TEST_ISSUER,
      aud: TEST_RESOURCE,
      sub: 'client-1',
      client_id: 'client-1',
      scope: 'contacts:read',
      jti: randomUUID(),
      iat,
      exp: iat + 300,
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const protectedHeader: Record<string, unknown> = { alg: 'ES256', typ: 'at+jwt', kid: this.kid, ...header };
    for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
    return new SignJWT(claims).setProtectedHeader(protectedHeader as JWTHeaderParameters).sign(key);
  }
}
