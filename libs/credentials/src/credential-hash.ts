import { createHash, hash, timingSafeEqual } from 'node:crypto';

/**
 * Hash under which a high-entropy credential is stored and looked up (unique index).
 * SHA-256 is enough for ≥ 256-bit random secrets: nothing to brute-force, and an indexed lookup
 * compares no secret bytes. Passwords, which are low-entropy, use argon2id instead.
 */
export function hashCredential(value: string): string {
  // The one-shot form: no Hash object per call (a resource server hashes every PAT and API key it is shown).
  return hash('sha256', value, 'base64url');
}

/** Constant-time comparison of two stored hashes (or any two strings). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** RFC 8705 §3.1 `x5t#S256`: the base64url SHA-256 of a certificate's DER encoding (what `cnf` binds a token to). */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}
