import { BadRequestException } from '@nestjs/common';
import { importJWK, type JSONWebKeySet, type JWK } from 'jose';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const ALLOWED_KEY_TYPES = ['EC', 'OKP', 'RSA'];
const MAX_KEYS = 10;

/** Checks a client's JWK set for private_key_jwt: public asymmetric keys only, each importable. */
export async function validateClientJwks(jwks: JSONWebKeySet): Promise<JSONWebKeySet> {
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
    keys.push(key);
  }
  return { keys };
}
