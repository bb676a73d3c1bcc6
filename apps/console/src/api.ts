// Calls to the management API with the session cookie. The CSRF token lives in this module's memory
// only (never in storage or a URL) and goes in X-CSRF-Token on every state-changing request.

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let csrfToken: string | null = null;
let onSessionEnded: (error: ApiError) => void = () => {};
let onSessionChanged: () => Promise<string | null> = async () => null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * `ended`: a request was refused because the session is gone (expired, signed out elsewhere).
 * `changed`: the CSRF token was refused; the handler fetches the session again and returns the new
 * token if it is still the same user (the request is then retried once), or null.
 */
export function onSession({
  ended,
  changed,
}: {
  ended: (error: ApiError) => void;
  changed: () => Promise<string | null>;
}): void {
  onSessionEnded = ended;
  onSessionChanged = changed;
}

/** An answer other than 2xx, or no answer; `message` is what to show the person, in words. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfterSeconds: number | null;
  readonly code: string | null;

  constructor(
    status: number,
    message: string,
    {
      body = null,
      retryAfterSeconds = null,
      code = null,
    }: { body?: unknown; retryAfterSeconds?: number | null; code?: string | null } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
    this.code = code;
  }

  /** Validation messages (problem+json `errors`), one per invalid field. */
  get errors(): string[] {
    const errors = isObject(this.body) ? this.body.errors : undefined;
    return Array.isArray(errors) ? errors.map(String) : [];
  }
}

const STATUS_WORDS: Record<number, string> = {
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** problem+json `detail` (RFC 9457), else OAuth `error_description` (RFC 6749 §5.2), else the status in words. */
export function describeError(status: number, body: unknown): string {
  if (isObject(body)) {
    const detail = text(body.detail) ?? text(body.error_description);
    if (detail) return detail;
    const title = text(body.title);
    if (title && status >= 400) return `${title}: ${STATUS_WORDS[status] ?? ''}`.trim();
  }
  return STATUS_WORDS[status] ?? `The server answered with status ${status}.`;
}

function codeOf(body: unknown): string | null {
  if (!isObject(body)) return null;
  if (typeof body.type === 'string' && body.type.startsWith('urn:tollgate:problem:'))
    return body.type.slice('urn:tollgate:problem:'.length);
  return typeof body.error === 'string' ? body.error : null;
}

/** Any failure as words for the person: an ApiError's message is already in words. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'Something went wrong.';
}

async function send(method: Method, path: string, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
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
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Could not reach Tollgate. Check your connection and try again.');
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  const body = await response.text();
  if (!body || !/json/.test(type)) return null;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

export interface ApiOptions {
  signal?: AbortSignal;
  /** A call about the session itself: a 401 or a refused CSRF token is the caller's to handle. */
  sessionCall?: boolean;
}

/**
 * A JSON call; resolves with the parsed body (null for 204), rejects with ApiError.
 * `path` is a same-origin path: the console talks to nothing else (CSP connect-src 'self').
 * `T` is what the route answers (./api-types.ts); it is not checked at run time.
 */
export async function api<T = unknown>(
  method: Method,
  path: string,
  body?: unknown,
  { signal, sessionCall = false }: ApiOptions = {},
): Promise<T> {
  let response = await send(method, path, body, signal);
  let parsed = await readBody(response);
  if (response.status === 403 && codeOf(parsed) === 'csrf_token_invalid' && !sessionCall) {
    const token = await onSessionChanged();
    if (token) {
      response = await send(method, path, body, signal);
      parsed = await readBody(response);
    }
  }
  if (response.ok) return parsed as T;
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
export function query(parameters: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const result = search.toString();
  return result ? `?${result}` : '';
}

export const segment = encodeURIComponent;
