/** One scope token: NQCHAR (%x21 / %x23-5B / %x5D-7E), RFC 6749 §3.3; bounded in length. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** Splits a `scope` parameter into tokens; returns null if it is not a valid scope string. */
export function parseScopeParameter(value: string): string[] | null {
  if (value.length > 4096) return null;
  const tokens = value.split(' ');
  if (tokens.some((token) => !SCOPE_TOKEN.test(token))) return null;
  return [...new Set(tokens)];
}
