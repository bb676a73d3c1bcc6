/** What an API answered instead of what the caller expected: the status and its error body (RFC 9457 or RFC 6749 §5.2). */
export class TollgateApiError extends Error {
  override name = 'TollgateApiError';

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    /** The parsed error body (problem details or an OAuth error), the text when not JSON, or undefined. */
    readonly body: unknown,
  ) {
    super(`${method} ${new URL(url).pathname} answered ${status} (${describeErrorBody(body)})`);
  }

  /** The problem's stable code (`urn:tollgate:problem:<code>`) or the OAuth `error`, when there is one. */
  get code(): string | undefined {
    if (typeof this.body !== 'object' || this.body === null) return undefined;
    const { type, error } = this.body as { type?: unknown; error?: unknown };
    if (typeof type === 'string' && type.startsWith('urn:tollgate:problem:')) return type.slice(21);
    return typeof error === 'string' ? error : undefined;
  }
}

/** The most useful one-line description of an error body (problem details or an OAuth error). */
export function describeErrorBody(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 200) || 'no body';
  if (typeof body !== 'object' || body === null) return 'no body';
  const record = body as Record<string, unknown>;
  const errors = Array.isArray(record.errors) ? record.errors.map(String).join('; ') : undefined;
  const parts = [record.error, record.error_description, record.detail ?? record.title, errors].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  return parts.length > 0 ? [...new Set(parts)].join(': ') : JSON.stringify(body).slice(0, 200);
}

/** What every call of the generated clients resolves to (openapi-fetch's FetchResponse, loosely). */
export interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The body of an answer with one of the `expected` statuses (any 2xx when none is given); any other
 * answer throws a TollgateApiError that carries the status and the error body.
 */
export async function expectAnswer<T>(pending: Promise<ApiResult<T>>, ...expected: number[]): Promise<T> {
  const { data, error, response } = await pending;
  const ok = expected.length > 0 ? expected.includes(response.status) : response.ok;
  if (!ok) throw new TollgateApiError(methodOf(response), response.url, response.status, error ?? data);
  return data as T;
}

// openapi-fetch keeps the Request it sent nowhere on the Response; the method is recorded by apiFetch.
const METHODS = new WeakMap<Response, string>();

export function rememberMethod(response: Response, method: string): Response {
  METHODS.set(response, method);
  return response;
}

function methodOf(response: Response): string {
  return METHODS.get(response) ?? 'request';
}
