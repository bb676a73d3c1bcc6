// Calls to the management API with the session cookie. The CSRF token lives in this module's memory
// only (never in storage or a URL) and goes in X-CSRF-Token on every state-changing request.

const SAFE_METHODS = new Set(['GET', 'HEAD']);

let csrfToken = null;
let onSessionEnded = () => {};
let onSessionChanged = async () => null;

export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * `ended`: a request was refused because the session is gone (expired, signed out elsewhere).
 * `changed`: the CSRF token was refused; the handler fetches the session again and returns the new
 * token if it is still the same user (the request is then retried once), or null.
 */
export function onSession({ ended, changed }) {
  onSessionEnded = ended;
  onSessionChanged = changed;
}

/** An answer other than 2xx, or no answer; `message` is what to show the person, in words. */
export class ApiError extends Error {
  constructor(status, message, { body = null, retryAfterSeconds = null, code = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
    this.code = code;
  }

  /** Validation messages (problem+json `errors`), one per invalid field. */
  get errors() {
    return Array.isArray(this.body?.errors) ? this.body.errors.map(String) : [];
  }
}

const STATUS_WORDS = {
  400: 'The request was not accepted.',
  401: 'You are not signed in, or your session has ended.',
  403: 'You do not have permission to do this.',
  404: 'It no longer exists.',
  409: 'It conflicts with the current state; reload and try again.',
  413: 'The request is too large.',
  415: 'The request was sent in a form the server does not accept.',
  429: 'Too many requests; wait a moment and try again.',
  500: 'The server could not complete the request.',
  502: 'A service behind Tollgate did not answer.',
  503: 'The service is unavailable right now; try again shortly.',
};

/** problem+json `detail` (RFC 9457), else OAuth `error_description` (RFC 6749 §5.2), else the status in words. */
export function describeError(status, body) {
  if (body && typeof body === 'object') {
    if (typeof body.detail === 'string' && body.detail) return body.detail;
    if (typeof body.error_description === 'string' && body.error_description) return body.error_description;
    if (typeof body.title === 'string' && body.title && status >= 400) return `${body.title}: ${STATUS_WORDS[status] ?? ''}`.trim();
  }
  return STATUS_WORDS[status] ?? `The server answered with status ${status}.`;
}

function codeOf(body) {
  if (!body || typeof body !== 'object') return null;
  if (typeof body.type === 'string' && body.type.startsWith('urn:tollgate:problem:')) return body.type.slice('urn:tollgate:problem:'.length);
  return typeof body.error === 'string' ? body.error : null;
}

async function send(method, path, body, signal) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
      signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, 'Could not reach Tollgate. Check your connection and try again.');
  }
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (!text) return null;
  if (/json/.test(type)) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * A JSON call; resolves with the parsed body (null for 204), rejects with ApiError.
 * `path` is a same-origin path: the console talks to nothing else (CSP connect-src 'self').
 */
export async function api(method, path, body, { signal, sessionCall = false } = {}) {
  let response = await send(method, path, body, signal);
  let parsed = await readBody(response);
  if (response.status === 403 && codeOf(parsed) === 'csrf_token_invalid' && !sessionCall) {
    const token = await onSessionChanged();
    if (token) {
      response = await send(method, path, body, signal);
      parsed = await readBody(response);
    }
  }
  if (response.ok) return parsed;
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  const error = new ApiError(response.status, describeError(response.status, parsed), {
    body: parsed,
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null,
    code: codeOf(parsed),
  });
  if (response.status === 401 && !sessionCall) onSessionEnded(error);
  throw error;
}

/** Query string from an object, leaving out empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const segment = encodeURIComponent;
