import { BadRequestException } from '@nestjs/common';
import { importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { certificateThumbprint } from '@tollgate/credentials';
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { TokenEndpointAuthMethod } from './client.entity.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const ALLOWED_KEY_TYPES = ['EC', 'OKP', 'RSA'];
const MAX_KEYS = 10;

/** Checks a client's JWK set for private_key_jwt: public asymmetric keys only, each importable. */
export async function validateClientJwks(
  jwks: JSONWebKeySet,
  method: TokenEndpointAuthMethod = 'private_key_jwt',
): Promise<JSONWebKeySet> {
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0 || jwks.keys.length > MAX_KEYS) {
    throw new BadRequestException(`jwks must have 1–${MAX_KEYS} keys`);
  }
  const keys: JWK[] = [];
  for (const [index, key] of jwks.keys.entries()) {
    if (typeof key !== 'object' || key === null || !ALLOWED_KEY_TYPES.includes(key.kty as string)) {
      throw new BadRequestException(`jwks.keys[${index}] must be an EC, OKP or RSA public key`);
    }
    if (PRIVATE_MEMBERS.some((member) => member in key))
      throw new BadRequestException(`jwks.keys[${index}] contains private key material; register the public key only`);
    try {
      await importJWK(key, key.alg ?? (key.kty === 'EC' ? 'ES256' : key.kty === 'OKP' ? 'EdDSA' : 'RS256'));
    } catch {
      throw new BadRequestException(`jwks.keys[${index}] is not a valid public key`);
    }
    if (method === 'self_signed_tls_client_auth' && !certificateOf(key))
      throw new BadRequestException(
        `jwks.keys[${index}] needs x5c: the client's certificate (RFC 8705 §2.2), for this very key`,
      );
    keys.push(key);
  }
  return { keys };
}

/** The certificate a JWK carries (x5c[0]), when it certifies that very key. */
function certificateOf(key: JWK): X509Certificate | undefined {
  const der = Array.isArray(key.x5c) && typeof key.x5c[0] === 'string' ? Buffer.from(key.x5c[0], 'base64') : undefined;
  if (!der) return undefined;
  try {
    const certificate = new X509Certificate(der);
    const { x5c: _x5c, alg: _alg, kid: _kid, use: _use, key_ops: _ops, ...publicKey } = key;
    return certificate.publicKey.equals(createPublicKey({ key: publicKey as Record<string, string>, format: 'jwk' }))
      ? certificate
      : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 8705 §2.2: the `x5t#S256` of each certificate a self-signed client registered. */
export function registeredCertificateThumbprints(jwks: JSONWebKeySet | null): string[] {
  return (jwks?.keys ?? []).flatMap((key) => {
    const certificate = certificateOf(key);
    return certificate ? [certificateThumbprint(certificate.raw)] : [];
  });
}
