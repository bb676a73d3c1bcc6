import type { AccessToken } from './client-credentials-token-provider.js';

/** What {@link createAuthorizedFetch} needs from a token provider. */
export interface TokenSource {
  getToken(): Promise<AccessToken>;
  invalidate(rejected?: AccessToken | string): void;
}

export interface AuthorizedFetchOptions {
  fetch?: typeof fetch;
}

/** A fetch-compatible function. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Bodies fetch can send again: everything except streams (and a Request's own body, which is a stream). */
function canReplay(input: string | URL | Request, init: RequestInit | undefined): boolean {
  if (init?.body !== undefined && init.body !== null) {
    const body: unknown = init.body;
    return (
      typeof body === 'string' ||
      body instanceof URLSearchParams ||
      body instanceof ArrayBuffer ||
      ArrayBuffer.isView(body) ||
      body instanceof Blob ||
      body instanceof FormData
    );
  }
  return !(input instanceof Request && input.body !== null);
}

/**
 * Wraps fetch so that every request carries `Authorization: Bearer <token>` from the provider
 * (RFC 6750 §2.1). When the resource server answers 401, the token is forgotten and the request is
 * sent once more with a fresh token, provided its body can be sent again; a second 401 is returned
 * as it is. Provider errors (e.g. AuthServerUnavailableError) reject the call.
 */
export function createAuthorizedFetch(provider: TokenSource, options: AuthorizedFetchOptions = {}): FetchFunction {
  const baseFetch = options.fetch ?? fetch;

  return async (input, init) => {
    const send = (token: AccessToken) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      headers.set('authorization', `Bearer ${token.value}`);
      return baseFetch(input, { ...init, headers });
    };
    const replayable = canReplay(input, init);
    const token = await provider.getToken();
    const response = await send(token);
    if (response.status !== 401) return response;
    provider.invalidate(token);
    if (!replayable) return response;
    await response.body?.cancel();
    return send(await provider.getToken());
  };
}
