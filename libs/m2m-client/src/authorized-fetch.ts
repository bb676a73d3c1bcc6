import type { AccessToken, DpopProofRequest } from './client-credentials-token-provider.js';

/** What {@link createAuthorizedFetch} needs from a token provider. */
export interface TokenSource {
  getToken(): Promise<AccessToken>;
  invalidate(rejected?: AccessToken | string): void;
  /** For DPoP-bound tokens (RFC 9449): a proof of the provider's key for one request. */
  dpopProof?(request: DpopProofRequest): Promise<string>;
  /** Keeps a server's DPoP-Nonce for the next proofs; true when it is new. */
  rememberDpopNonce?(url: string, response: Response): boolean;
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
 * Wraps fetch so that every request carries the provider's token: `Authorization: Bearer <token>`
 * (RFC 6750 §2.1), or for a DPoP-bound token `Authorization: DPoP <token>` with a new proof of the
 * provider's key for this request (RFC 9449 §7). When the resource server answers 401 with a new
 * DPoP nonce, the request is sent once more with it; on any other 401 the token is forgotten and
 * the request is sent once more with a fresh token. Either retry needs a body that can be sent
 * again; a second 401 is returned as it is. Provider errors (e.g. AuthServerUnavailableError)
 * reject the call.
 */
export function createAuthorizedFetch(provider: TokenSource, options: AuthorizedFetchOptions = {}): FetchFunction {
  const baseFetch = options.fetch ?? fetch;

  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const send = async (token: AccessToken) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (token.type === 'DPoP' && provider.dpopProof) {
        headers.set('authorization', `DPoP ${token.value}`);
        headers.set('dpop', await provider.dpopProof({ method, url, accessToken: token.value }));
      } else headers.set('authorization', `Bearer ${token.value}`);
      return baseFetch(input, { ...init, headers });
    };
    const replayable = canReplay(input, init);
    const token = await provider.getToken();
    const response = await send(token);
    if (response.status !== 401) return response;
    const newNonce = token.type === 'DPoP' && provider.rememberDpopNonce?.(url, response) === true;
    if (!newNonce) provider.invalidate(token);
    if (!replayable) return response;
    await response.body?.cancel();
    return send(newNonce ? token : await provider.getToken());
  };
}
