import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientKey {
  privateKey: CryptoKey;
  /** The public JWK to register in the client's `jwks` (with kid, alg and use). */
  publicJwk: JWK;
  kid: string;
  alg: string;
}

/** A key pair for private_key_jwt (RFC 7523), as a client would generate it. */
export async function generateClientKey(alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256' = 'ES256'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' }, kid, alg };
}

export interface AssertionOptions {
  /** Claims to set or override; a claim set to undefined is left out. */
  claims?: Partial<Record<keyof JWTPayload | string, unknown>>;
  header?: Record<string, unknown>;
  /** The time the assertion is made at (the server's clock in tests that move it). */
  now?: Date;
}

/** A client assertion for private_key_jwt: iss = sub = clientId, aud = audience, exp in 60 s, a fresh jti. */
export async function clientAssertion(
  key: ClientKey,
  clientId: string,
  audience: string,
  options: AssertionOptions = {},
): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: clientId,
    sub: clientId,
    aud: audience,
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header } as never)
    .sign(key.privateKey);
}

export function base64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/** A compact JWS with exactly the header and payload given, and `signature` as its third part. */
export function rawJws(header: object, payload: object, signature = ''): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`;
}
