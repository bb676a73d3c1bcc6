// What the shell (../app.ts) gives each page. Pages receive the shell's functions here and never
// import the shell, so no module imports back into app.ts.
import type { Grant, SessionUser, StartedSession } from '../api-types.js';
import type { Child } from '../dom.js';

/** What the console knows about the signed-in person, in memory only. */
export interface Session {
  user: SessionUser | null;
  /** Scopes per resource, from GET /api/me. */
  permissions: Grant[];
  isAdmin: boolean;
  /** Invited to at least one API consumer's developer portal (GET /api/me/consumers). */
  developerPortal: boolean;
  /** The management API's resource indicator (`<issuer>/api`). */
  managementApi: string | null;
  expiresAt: string | null;
  idleTimeoutSeconds: number | null;
  /** The sign-in policy wants a second factor this administrator has not set up: only the security page works. */
  secondFactorSetupRequired: boolean;
}

export interface PageContext {
  session: Session;
  /** The page's query string. */
  params: URLSearchParams;
  /** Aborted when the person leaves the page. */
  signal: AbortSignal;
  navigate: (target: string, options?: { replace?: boolean }) => Promise<void>;
  /** The sign-in page hands the started session to the shell. */
  signedIn: (started: StartedSession) => Promise<void>;
}

/**
 * A page module: draws into `page` (a detached element the shell shows when the promise resolves),
 * under the route's title and the page's `lead`, which the shell draws.
 */
export interface Page {
  lead?: () => Child;
  render: (page: HTMLElement, context: PageContext) => Promise<void>;
}

/** The signed-in user (pages behind sign-in only run with one). */
export function signedInUser(session: Session): SessionUser {
  if (!session.user) throw new Error('This page needs a signed-in user.');
  return session.user;
}
