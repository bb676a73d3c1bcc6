import { randomInt } from 'node:crypto';

/**
 * User codes (RFC 8628 §6.1): 8 characters of 20 consonants, shown as `BCDF-GHJK`. No vowels (no
 * words), no digits, so nothing is confused (0/O, 1/I, 5/S) and a person types it on any keyboard:
 * 20^8 ≈ 2.6·10^10 codes, with wrong entries throttled and every code single-use and short-lived.
 */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

export function generateUserCode(): string {
  let code = '';
  for (let index = 0; index < LENGTH; index++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed, as the code it stands for: case and separators ignored (RFC 8628 §6.1), or
 * undefined when it cannot be a user code (so it is refused before any lookup).
 */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== LENGTH) return undefined;
  for (const character of code) if (!ALPHABET.includes(character)) return undefined;
  return code;
}
