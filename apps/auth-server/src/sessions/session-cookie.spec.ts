import {
  csrfTokenMatches,
  csrfTokenOf,
  newSessionSecret,
  readSessionCookie,
  sessionCookieName,
  sessionCookieOptions,
  sessionIdOf,
} from './session-cookie.js';

describe('session cookie', () => {
  it('uses the __Host- prefix and Secure over https only', () => {
    expect(sessionCookieName(true)).toBe('__Host-tollgate_session');
    expect(sessionCookieOptions(3600, true)).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
      maxAge: 3600,
    });
    expect(sessionCookieName(false)).toBe('tollgate_session');
    expect(sessionCookieOptions(3600, false)).toMatchObject({
      secure: false,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
    });
  });

  it('makes 256-bit secrets whose id, CSRF token and value all differ', () => {
    const secret = newSessionSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionSecret()).not.toBe(secret);
    expect(new Set([secret, sessionIdOf(secret), csrfTokenOf(secret)]).size).toBe(3);
  });

  it('matches the CSRF token of this session only', () => {
    const secret = newSessionSecret();
    expect(csrfTokenMatches(csrfTokenOf(secret), secret)).toBe(true);
    expect(csrfTokenMatches(csrfTokenOf(newSessionSecret()), secret)).toBe(false);
    expect(csrfTokenMatches(undefined, secret)).toBe(false);
    expect(csrfTokenMatches([csrfTokenOf(secret)], secret)).toBe(false);
  });

  it('reads only a well-formed cookie under the expected name', () => {
    const secret = newSessionSecret();
    expect(readSessionCookie({ cookies: { tollgate_session: secret } }, false)).toBe(secret);
    expect(readSessionCookie({ cookies: { tollgate_session: secret } }, true)).toBeUndefined();
    expect(readSessionCookie({ cookies: { tollgate_session: `${secret}x` } }, false)).toBeUndefined();
    expect(readSessionCookie({}, false)).toBeUndefined();
  });
});
