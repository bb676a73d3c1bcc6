import createClient, { type Client } from 'openapi-fetch';
import { rememberMethod } from './api-error.js';
import type { paths as AuthServerPaths } from './generated/auth-server.js';
import type { paths as ServiceAPaths } from './generated/service-a.js';
import type { paths as ServiceBPaths } from './generated/service-b.js';

/** The auth-server's API (OAuth endpoints and the management API), typed from docs/openapi/auth-server.json. */
export type AuthServerApi = Client<AuthServerPaths>;
/** The CRM's API (service-b), typed from docs/openapi/service-b.json. */
export type CrmApi = Client<ServiceBPaths>;
/** service-a's API, typed from docs/openapi/service-a.json. */
export type MarketingApi = Client<ServiceAPaths>;

/** A fetch-compatible function, e.g. `createAuthorizedFetch(tokens)` from @tollgate/m2m-client. */
export type FetchFunction = (input: Request, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Where the API is served: the auth-server's issuer URL, or the service's URL. */
  baseUrl: string;
  /**
   * A credential sent as `Authorization: Bearer` on every call (a PAT, an API key, an access token).
   * Leave it out when `fetch` adds one (a token provider that renews it) or for public routes.
   */
  credential?: string;
  fetch?: FetchFunction;
  /** Each request is abandoned after this long (default 10 s). */
  timeoutMs?: number;
  /** Sent as User-Agent (e.g. `tollgate-cli/0.1.0`). */
  userAgent?: string;
}

/**
 * The fetch every generated client sends through: a timeout, no redirects followed (a credential
 * must never travel to where a redirect points), and the credential when one is given.
 */
function apiFetch(options: ApiClientOptions): (request: Request) => Promise<Response> {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (request) => {
    const headers = new Headers(request.headers);
    if (options.credential) headers.set('authorization', `Bearer ${options.credential}`);
    if (options.userAgent) headers.set('user-agent', options.userAgent);
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
    const response = await send(new Request(request, { headers, redirect: 'manual', signal }));
    return rememberMethod(response, request.method);
  };
}

function apiClient<Paths extends {}>(options: ApiClientOptions): Client<Paths> {
  return createClient<Paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: apiFetch(options) });
}

export const createAuthServerApi = (options: ApiClientOptions): AuthServerApi => apiClient<AuthServerPaths>(options);
export const createCrmApi = (options: ApiClientOptions): CrmApi => apiClient<ServiceBPaths>(options);
export const createMarketingApi = (options: ApiClientOptions): MarketingApi => apiClient<ServiceAPaths>(options);

/**
 * The options of an OAuth endpoint call (`/oauth/token`, `/oauth/introspect`, `/oauth/revoke`): the
 * fields sent as `application/x-www-form-urlencoded` (RFC 6749 §4.4.2), unset ones left out.
 * openapi-fetch sends JSON unless told otherwise.
 */
export function formRequest<Body extends object>(
  body: Body,
): { body: Body; bodySerializer: (body: object) => URLSearchParams; headers: Record<string, string> } {
  return {
    body,
    bodySerializer: (fields) =>
      new URLSearchParams(
        Object.entries(fields)
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => [name, String(value)]),
      ),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

/** `client_secret_basic` (RFC 6749 §2.3.1): id and secret each form-urlencoded, then base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
