import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Hash under which a high-entropy credential is stored and looked up (unique index).
 * SHA-256 is enough for ≥ 256-bit random secrets: nothing to brute-force, and an indexed lookup
 * compares no secret bytes. Passwords, which are low-entropy, use argon2id instead.
 */
export function hashCredential(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Constant-time comparison of two stored hashes (or any two strings). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
