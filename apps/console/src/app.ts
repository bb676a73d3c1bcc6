// The console shell: session, navigation and routing. Pages live in ./pages/*.ts and draw into
// #page; the data comes from the management API with the session cookie.
import { api, ApiError, messageOf, onSession, setCsrfToken } from './api.js';
import type { AuthorizationServerMetadata, Me, MyConsumer, StartedSession } from './api-types.js';
import { discardSecrets } from './components/secret-panel.js';
import { h, replace } from './dom.js';
import type { Page, Session } from './pages/page.js';
import { announce, announceError, clearMessages, heading, initMessages, pageIntro } from './ui.js';

interface Route {
  path: string;
  title: string;
  /** The link text in the navigation; routes without one are not listed. */
  nav?: string;
  admin?: boolean;
  /** Listed in the navigation only when this holds (the page itself stays reachable). */
  shown?: (signedIn: Session) => boolean;
  /** Only for people who are not signed in (the sign-in page). */
  signedOut?: boolean;
  load: () => Promise<Page>;
}

/** Each page's module, loaded when it is first shown. */
const PAGES = {
  'sign-in': () => import('./pages/sign-in.js'),
  tokens: () => import('./pages/tokens.js'),
  applications: () => import('./pages/applications.js'),
  'api-keys': () => import('./pages/api-keys.js'),
  overview: () => import('./pages/overview.js'),
  portal: () => import('./pages/portal.js'),
  users: () => import('./pages/users.js'),
  access: () => import('./pages/access.js'),
  policies: () => import('./pages/policies.js'),
  'signing-keys': () => import('./pages/signing-keys.js'),
  audit: () => import('./pages/audit.js'),
  webhooks: () => import('./pages/webhooks.js'),
  devices: () => import('./pages/devices.js'),
  device: () => import('./pages/device.js'),
  security: () => import('./pages/security.js'),
} satisfies Record<string, () => Promise<Page>>;

const ROUTES: Route[] = [
  { path: '/console/sign-in', title: 'Sign in', signedOut: true, load: PAGES['sign-in'] },
  { path: '/console/tokens', title: 'Personal access tokens', nav: 'Personal access tokens', load: PAGES.tokens },
  { path: '/console/device', title: 'Device sign-in', nav: 'Device sign-in', load: PAGES.device },
  {
    path: '/console/portal',
    title: 'Developer portal',
    nav: 'Developer portal',
    shown: (signedIn) => signedIn.developerPortal,
    load: PAGES.portal,
  },
  { path: '/console/security', title: 'Sign-in and security', nav: 'Sign-in and security', load: PAGES.security },
  adminPage('overview', 'Overview'),
  adminPage('applications', 'M2M applications and devices', 'Applications and devices'),
  adminPage('api-keys', 'API consumers and keys', 'API keys'),
  adminPage('users', 'Users'),
  adminPage('access', 'Resources and roles'),
  adminPage('policies', 'Policies'),
  adminPage('signing-keys', 'Signing keys'),
  adminPage('audit', 'Audit log'),
  adminPage('webhooks', 'Webhooks'),
  adminPage('devices', 'Connected devices'),
];

/** A page for administrators at /console/admin/<page>, listed in the navigation as `nav`. */
function adminPage(page: keyof typeof PAGES, title: string, nav = title): Route {
  return { path: `/console/admin/${page}`, title, nav, admin: true, load: PAGES[page] };
}

const HOME = '/console/tokens';
const SIGN_IN = '/console/sign-in';
/** Where an administrator goes while the sign-in policy wants a second factor they have not set up. */
const SECURITY = '/console/security';

const session: Session = {
  user: null,
  permissions: [],
  isAdmin: false,
  developerPortal: false,
  managementApi: null,
  expiresAt: null,
  idleTimeoutSeconds: null,
  secondFactorSetupRequired: false,
};

function shellElement(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The console's index.html has no #${id}`);
  return element;
}

const shell = {
  page: shellElement('page'),
  nav: shellElement('nav'),
  account: shellElement('account'),
  menuToggle: shellElement('menu-toggle'),
};
let current = { controller: new AbortController() };
let returnTo: string | null = null;
let firstRender = true;

// ---- session -----------------------------------------------------------------------------------

async function establish(started: StartedSession): Promise<void> {
  setCsrfToken(started.csrfToken);
  const [me, metadata, consumers] = await Promise.all([
    api<Me>('GET', '/api/me'),
    api<AuthorizationServerMetadata>('GET', '/.well-known/oauth-authorization-server'),
    api<MyConsumer[]>('GET', '/api/me/consumers').catch(() => []),
  ]);
  const managementApi = `${metadata.issuer}/api`;
  session.user = started.user;
  session.expiresAt = started.expiresAt;
  session.idleTimeoutSeconds = started.idleTimeoutSeconds;
  session.permissions = me.permissions ?? [];
  session.managementApi = managementApi;
  session.developerPortal = consumers.length > 0;
  session.secondFactorSetupRequired = started.secondFactorSetupRequired;
  // Until the required second factor is set up, the API refuses every admin page.
  session.isAdmin =
    !started.secondFactorSetupRequired &&
    session.permissions.some((entry) => entry.resource === managementApi && entry.scopes.includes('admin'));
  drawChrome();
}

function forget(): void {
  setCsrfToken(null);
  Object.assign(session, {
    user: null,
    permissions: [],
    isAdmin: false,
    developerPortal: false,
    expiresAt: null,
    idleTimeoutSeconds: null,
    secondFactorSetupRequired: false,
  });
  drawChrome();
}

/** Given to the sign-in page, called with the answer of POST /api/session. */
async function signedIn(started: StartedSession): Promise<void> {
  await establish(started);
  const target = started.secondFactorSetupRequired ? SECURITY : returnTo && returnTo !== SIGN_IN ? returnTo : HOME;
  returnTo = null;
  await navigate(target, { replace: true });
  announce(`Signed in as ${started.user.email}.`);
}

async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/api/session', undefined, { sessionCall: true });
  } catch (error) {
    // An ended session is signed out already; anything else leaves the person signed in.
    if (!(error instanceof ApiError && error.status === 401)) {
      announceError(`Could not sign out: ${messageOf(error)}`);
      return;
    }
  }
  forget();
  await navigate(SIGN_IN, { replace: true });
  announce('You are signed out.');
}

onSession({
  ended: () => {
    if (!session.user) return;
    returnTo = location.pathname;
    forget();
    void navigate(SIGN_IN, { replace: true }).then(() =>
      announceError('Your session has ended. Sign in again to continue.'),
    );
  },
  changed: async () => {
    try {
      const again = await api<StartedSession>('GET', '/api/session', undefined, { sessionCall: true });
      if (again.user.id === session.user?.id) {
        setCsrfToken(again.csrfToken);
        return again.csrfToken;
      }
    } catch {
      // ended: below
    }
    returnTo = location.pathname;
    forget();
    void navigate(SIGN_IN, { replace: true }).then(() =>
      announceError('You signed in or out in another tab. Sign in again to continue here.'),
    );
    return null;
  },
});

// ---- chrome ------------------------------------------------------------------------------------

function navLink(route: Route): HTMLLIElement {
  return h(
    'li',
    {},
    h('a', { href: route.path, 'aria-current': location.pathname === route.path ? 'page' : undefined }, route.nav),
  );
}

/** Narrow screens: the navigation opens under the banner from the Menu button (CSS hides it otherwise). */
function setMenuOpen(open: boolean): void {
  shell.nav.parentElement?.classList.toggle('nav-open', open);
  shell.menuToggle.setAttribute('aria-expanded', String(open));
}

shell.menuToggle.addEventListener('click', () => {
  const open = shell.menuToggle.getAttribute('aria-expanded') !== 'true';
  setMenuOpen(open);
  if (open) shell.nav.querySelector('a')?.focus();
});

shell.nav.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || shell.menuToggle.getAttribute('aria-expanded') !== 'true') return;
  setMenuOpen(false);
  shell.menuToggle.focus();
});

function drawChrome(): void {
  setMenuOpen(false);
  if (!session.user) {
    replace(shell.account);
    replace(shell.nav);
    shell.nav.hidden = true;
    shell.menuToggle.hidden = true;
    return;
  }
  shell.menuToggle.hidden = false;
  replace(
    shell.account,
    h('span', { class: 'who' }, 'Signed in as ', h('strong', {}, session.user.email)),
    h('button', { type: 'button', class: 'button button-small', onClick: signOut }, 'Sign out'),
  );
  const mine = ROUTES.filter((route) => route.nav && !route.admin && (route.shown?.(session) ?? true));
  const admin = ROUTES.filter((route) => route.nav && route.admin);
  replace(
    shell.nav,
    h('h2', { class: 'nav-heading', id: 'nav-account' }, 'Your account'),
    h('ul', { 'aria-labelledby': 'nav-account' }, mine.map(navLink)),
    session.isAdmin
      ? [
          h('h2', { class: 'nav-heading', id: 'nav-admin' }, 'Administration'),
          h('ul', { 'aria-labelledby': 'nav-admin' }, admin.map(navLink)),
        ]
      : null,
  );
  shell.nav.hidden = false;
}

function markCurrentLink(): void {
  for (const link of shell.nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// ---- routing -----------------------------------------------------------------------------------

function normalise(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '');
  return trimmed === '' || trimmed === '/console' ? (session.user ? HOME : SIGN_IN) : trimmed;
}

function routeAt(path: string): Route | undefined {
  return ROUTES.find((candidate) => candidate.path === path);
}

/** Shows the page at `target` (a /console path, with an optional query). */
async function navigate(target: string, { replace: replaceEntry = false } = {}): Promise<void> {
  const url = new URL(target, location.origin);
  let path = normalise(url.pathname);
  let route = routeAt(path);
  if (route && !route.signedOut && !session.user) {
    returnTo = path + url.search;
    path = SIGN_IN;
    route = routeAt(SIGN_IN);
  } else if (session.user && session.secondFactorSetupRequired && path !== SECURITY) {
    path = SECURITY;
    route = routeAt(SECURITY);
  } else if (route?.signedOut && session.user) {
    path = HOME;
    route = routeAt(HOME);
  }
  const href = path + (path === url.pathname ? url.search : '');
  if (href !== location.pathname + location.search) {
    if (replaceEntry || firstRender) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
  }
  await render(route, new URLSearchParams(path === url.pathname ? url.search : ''));
}

function failure(title: string, error: unknown, retry: () => unknown): HTMLElement[] {
  return [
    heading(1, title),
    h(
      'div',
      { class: 'notice notice-error', role: 'alert' },
      h('p', {}, messageOf(error)),
      h('button', { type: 'button', class: 'button', onClick: retry }, 'Try again'),
    ),
  ];
}

async function render(route: Route | undefined, params: URLSearchParams): Promise<void> {
  current.controller.abort();
  const controller = new AbortController();
  current = { controller };
  discardSecrets();
  clearMessages();
  markCurrentLink();
  setMenuOpen(false);

  let title: string;
  if (!route) {
    title = 'Page not found';
    replace(
      shell.page,
      heading(1, title),
      h(
        'p',
        {},
        'There is no console page at this address. ',
        h('a', { href: HOME }, 'Go to your personal access tokens'),
        '.',
      ),
    );
  } else if (route.admin && !session.isAdmin) {
    title = 'Administrators only';
    replace(
      shell.page,
      heading(1, title),
      h(
        'p',
        { class: 'notice notice-warning' },
        `${route.title} is for administrators. You are signed in as ${session.user?.email}, who does not hold the admin scope; an administrator can give you the admin role.`,
      ),
      h('p', {}, h('a', { href: HOME }, 'Go to your personal access tokens')),
    );
  } else {
    title = route.title;
    replace(shell.page, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    try {
      const page = await route.load();
      if (controller.signal.aborted) return;
      const content = h('div', { class: 'page' }, page.lead ? pageIntro(route.title, page.lead()) : null);
      await page.render(content, { session, params, signal: controller.signal, navigate, signedIn });
      if (controller.signal.aborted) return;
      replace(shell.page, content);
    } catch (error) {
      if (controller.signal.aborted || (error instanceof Error && error.name === 'AbortError')) return;
      if (error instanceof ApiError && error.status === 401) return;
      replace(
        shell.page,
        ...failure(route.title, new Error(`This page could not be loaded: ${messageOf(error)}`), () =>
          render(route, params),
        ),
      );
    }
  }
  document.title = `${title} · Tollgate console`;
  // After the first page, move focus to the new page's heading so the change is announced and the
  // keyboard starts from the top of the content.
  if (!firstRender) shell.page.querySelector('h1')?.focus();
  firstRender = false;
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  const link = event.target instanceof Element ? event.target.closest('a[href^="/console"]') : null;
  if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
  event.preventDefault();
  void navigate(link.getAttribute('href') ?? HOME);
});

// The skip link works without script (a fragment link); with it, the focus lands on the page's
// heading, so the next Tab continues from the content and not from the top of the document.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  (shell.page.querySelector('h1') ?? document.getElementById('main'))?.focus();
});

window.addEventListener('popstate', () => void navigate(location.pathname + location.search, { replace: true }));

// ---- start ------------------------------------------------------------------------------------

async function start(): Promise<void> {
  initMessages(shellElement('status-region'), shellElement('alert-region'));
  try {
    const started = await api<StartedSession>('GET', '/api/session', undefined, { sessionCall: true });
    await establish(started);
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) {
      replace(shell.page, ...failure('The console could not start', error, () => location.reload()));
      return;
    }
    forget();
  }
  await navigate(location.pathname + location.search, { replace: true });
}

void start();
