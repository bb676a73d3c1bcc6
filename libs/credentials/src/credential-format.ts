import { crc32 } from 'node:zlib';
import { encodeBase62, randomBase62 } from './base62.js';

/**
 * Tollgate credential strings: `tg<kind>_[<env>_]<body><checksum>`.
 *
 * - kind `k` API key (always with an environment, `live` or `test`), `p` personal access token,
 *   `s` client secret;
 * - body: 43 base62 characters (≥ 256 bits of randomness);
 * - checksum: CRC32 of everything before it, 6 base62 characters (as GitHub does), so a typo
 *   or a guessed string is refused before any lookup and secret scanners can recognise leaks.
 */
export type CredentialKind = 'api_key' | 'pat' | 'client_secret';
export type ApiKeyEnvironment = 'live' | 'test';

const KIND_LETTER: Record<CredentialKind, string> = { api_key: 'k', pat: 'p', client_secret: 's' };
const LETTER_KIND: Record<string, CredentialKind> = { k: 'api_key', p: 'pat', s: 'client_secret' };

export const CREDENTIAL_BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const DISPLAY_BODY_CHARS = 4;

/** Upper bound on the length of any credential string we issue; longer input is rejected unread. */
export const MAX_CREDENTIAL_LENGTH = 64;

const CREDENTIAL_PATTERN = /^tg([kps])_(?:(live|test)_)?([0-9A-Za-z]{49})$/;

export interface ParsedCredential {
  kind: CredentialKind;
  environment?: ApiKeyEnvironment;
  /** Safe to show and log: the prefix and the first characters of the body. */
  displayPrefix: string;
}

export interface GenerateOptions {
  environment?: ApiKeyEnvironment;
}

function checksum(payload: string): string {
  return encodeBase62(crc32(payload), CHECKSUM_LENGTH);
}

function prefixFor(kind: CredentialKind, environment?: ApiKeyEnvironment): string {
  if (kind === 'api_key' && !environment) throw new Error('An API key needs an environment (live or test)');
  if (kind !== 'api_key' && environment) throw new Error(`A ${kind} has no environment`);
  return `tg${KIND_LETTER[kind]}_${environment ? `${environment}_` : ''}`;
}

/** Generates a new credential string of the given kind. */
export function generateCredential(kind: CredentialKind, options: GenerateOptions = {}): string {
  const payload = prefixFor(kind, options.environment) + randomBase62(CREDENTIAL_BODY_LENGTH);
  return payload + checksum(payload);
}

/**
 * Parses a credential string and checks its checksum; returns null for anything that is not a
 * well-formed Tollgate credential. Pure and cheap: no I/O.
 */
export function parseCredential(value: string): ParsedCredential | null {
  if (value.length > MAX_CREDENTIAL_LENGTH) return null;
  const match = CREDENTIAL_PATTERN.exec(value);
  if (!match) return null;
  const [, letter, environment, bodyAndChecksum] = match;
  const kind = LETTER_KIND[letter];
  if ((kind === 'api_key') !== Boolean(environment)) return null;
  const payloadLength = value.length - CHECKSUM_LENGTH;
  if (checksum(value.slice(0, payloadLength)) !== value.slice(payloadLength)) return null;
  const prefix = prefixFor(kind, environment as ApiKeyEnvironment | undefined);
  return {
    kind,
    environment: environment as ApiKeyEnvironment | undefined,
    displayPrefix: prefix + bodyAndChecksum.slice(0, DISPLAY_BODY_CHARS),
  };
}

/** True when the string has a Tollgate prefix, whether or not its checksum holds. */
export function hasCredentialPrefix(value: string): boolean {
  return /^tg[kps]_/.test(value);
}

/**
 * A credential inside any text (a URL, a header, a message), for redaction: the prefix, with the
 * API-key environment, in group 1, then more body characters than a display prefix shows, so a
 * display prefix stays readable and a truncated or mistyped credential is still caught.
 */
export const CREDENTIAL_IN_TEXT = new RegExp(`(tg[kps]_(?:(?:live|test)_)?)[0-9A-Za-z]{${DISPLAY_BODY_CHARS + 1},}`);
