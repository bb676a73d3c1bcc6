import { fetchJson, type JsonResponse } from '../seed/http-json.js';
import { check, expectStatus } from './checks.js';

/** A person signed in to the console, as a browser would be: the session cookie and the CSRF token. */
export interface ConsoleSession {
  request(method: string, path: string, body?: unknown): Promise<JsonResponse>;
}

/** Signs a person in (POST /api/session) with email and password; fails the step when refused. */
export async function signInToConsole(issuer: string, email: string, password: string): Promise<ConsoleSession> {
  const session = await fetchJson(`${issuer}/api/session`, { method: 'POST', body: { email, password } });
  expectStatus(session, 200, `${email} signing in`);
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0];
  check(cookie.includes('tollgate_session='), 'the sign-in should set the session cookie');
  const csrfToken: string = session.body.csrfToken;
  return {
    request: (method, path, body) =>
      fetchJson(`${issuer}${path}`, { method, headers: { cookie, 'x-csrf-token': csrfToken }, body }),
  };
}
