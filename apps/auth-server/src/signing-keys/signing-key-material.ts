import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { createHash } from 'node:crypto';
import type { KeyEncryption } from './key-encryption.js';
import type { SigningAlg, SigningKeyEntity, SigningKeyState } from './signing-key.entity.js';

/** RFC 7638 thumbprint-style id: stable, derived from the public key, reveals nothing else. */
function keyId(publicJwk: JWK): string {
  const members =
    publicJwk.kty === 'EC'
      ? { crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y }
      : { crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Generates a signing key pair and returns the row to store (private half sealed). */
export async function generateSigningKey(
  alg: SigningAlg,
  state: SigningKeyState,
  encryption: KeyEncryption,
  now: Date,
): Promise<SigningKeyEntity> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = keyId(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    state,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    encryptedPrivateKey: encryption.seal(JSON.stringify(privateJwk), kid),
    createdAt: now,
    activatedAt: state === 'current' ? now : null,
    deactivatedAt: null,
    retiredAt: null,
  };
}
