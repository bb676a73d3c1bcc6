import type { CookieSerializeOptions } from '@fastify/cookie';
import { hashCredential, hashesEqual } from '@tollgate/credentials';
import { randomBytes } from 'node:crypto';

/** A request after @fastify/cookie parsed its Cookie header. */
export interface RequestWithCookies {
  cookies?: Record<string, string | undefined>;
}

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** `__Host-` (RFC 6265bis §4.1.3.2): the browser only accepts it Secure, host-only, Path=/; over http the plain name. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-tollgate_session' : 'tollgate_session';
}

/** HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site subrequests or POSTs), Secure over https. */
export function sessionCookieOptions(maxAgeSeconds: number, secure: boolean): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: maxAgeSeconds };
}

/** 256 random bits, base64url: the cookie value. Only its SHA-256 is stored (the session id). */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sessionIdOf(secret: string): string {
  return hashCredential(secret);
}

/**
 * The CSRF token of a session, derived from the cookie value, which the server sees on every
 * request: nothing more is stored, and a database reader (who sees only the session id, another
 * hash of the secret) cannot compute it.
 */
export function csrfTokenOf(secret: string): string {
  return hashCredential(`tollgate-csrf:${secret}`);
}

export function csrfTokenMatches(header: string | string[] | undefined, secret: string): boolean {
  return typeof header === 'string' && hashesEqual(header, csrfTokenOf(secret));
}

/** The session secret from the request's cookies, if it is there and well formed. */
export function readSessionCookie(request: RequestWithCookies, secure: boolean): string | undefined {
  return wellFormed(request.cookies?.[sessionCookieName(secure)]);
}

/**
 * The cookie of a sign-in under way (a second factor due, a passkey's answer awaited): a name of
 * its own, which the guard never reads, so it can grant nothing. SameSite=Strict: only the
 * console's own requests carry it.
 */
export function pendingSignInCookieName(secure: boolean): string {
  return secure ? '__Host-tollgate_sign_in' : 'tollgate_sign_in';
}

export function pendingSignInCookieOptions(maxAgeSeconds: number, secure: boolean): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: maxAgeSeconds };
}

export function readPendingSignInCookie(request: RequestWithCookies, secure: boolean): string | undefined {
  return wellFormed(request.cookies?.[pendingSignInCookieName(secure)]);
}

function wellFormed(value: string | undefined): string | undefined {
  return value !== undefined && SECRET_PATTERN.test(value) ? value : undefined;
}
