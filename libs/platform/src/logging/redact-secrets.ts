import { CREDENTIAL_IN_TEXT } from '@tollgate/credentials';

/**
 * The password of a URL's userinfo (RFC 3986 §3.2.1), `scheme://user:password@host`: group 1 is
 * everything before the password. Greedy up to the last "@" before the path, as URL parsers read
 * it; quotes and backslashes end it, so it never runs past a JSON string.
 */
const URL_PASSWORD = String.raw`(:\/\/[^\s/?#@:"'\\]*:)[^\s/?#"'\\]*@`;

/** A JWS/JWT in compact form (RFC 7515 §7.1): its header is JSON, so it always begins `eyJ` (`{"`). */
const JWS_COMPACT = String.raw`eyJ[\w-]*\.[\w-]+\.[\w-]*`;

const SECRETS = new RegExp(`${CREDENTIAL_IN_TEXT.source}|(${JWS_COMPACT})|${URL_PASSWORD}`, 'g');
const URL_PASSWORDS = new RegExp(URL_PASSWORD, 'g');

export const REDACTED = '[REDACTED]';

/**
 * Every secret-shaped value in a text replaced, wherever it stands (a URL, any header, any body
 * field, an error message): Tollgate credentials keep their prefix (`tgk_live_[REDACTED]`, to tell
 * what leaked), JWTs become `[REDACTED JWT]`, URL passwords `***`. One regular-expression pass;
 * text without a match is returned as it is. Used on every log line and every configuration error.
 */
export function redactSecrets(text: string): string {
  return text.replace(SECRETS, (_match, credentialPrefix?: string, jwt?: string, beforePassword?: string) => {
    if (credentialPrefix !== undefined) return credentialPrefix + REDACTED;
    if (jwt !== undefined) return '[REDACTED JWT]';
    return `${beforePassword}***@`;
  });
}

/** The password of every URL in a text replaced by `***` (`postgres://app:***@db:5432/app`); never throws. */
export function redactUrlPassword(text: string): string {
  return text.replace(URL_PASSWORDS, '$1***@');
}
