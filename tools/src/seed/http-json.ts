import { describeFetchFailure } from '@tollgate/m2m-client';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body, the text when it is not JSON, or undefined when empty. */
  body: T;
}

export interface JsonRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON, or as it is when already a string or URLSearchParams. */
  body?: unknown;
  timeoutMs?: number;
}

/** The network failed or the server did not answer in time (as opposed to an HTTP error status). */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** One HTTP exchange with a JSON API; never follows redirects (credentials must not travel elsewhere). */
export async function fetchJson<T = any>(
  url: string | URL,
  request: JsonRequest = {},
  fetchImpl: Fetch = fetch,
): Promise<JsonResponse<T>> {
  const timeoutMs = request.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | URLSearchParams | undefined;
  if (typeof request.body === 'string' || request.body instanceof URLSearchParams) body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, {
      method: request.method ?? 'GET',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new UnreachableError(
      `${request.method ?? 'GET'} ${String(url)} failed: ${describeFetchFailure(error, timeoutMs)}`,
      { cause: error },
    );
  }
  let parsed: unknown = text === '' ? undefined : text;
  if (text && /json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
