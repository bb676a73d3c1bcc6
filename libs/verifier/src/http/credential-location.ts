import { hasCredentialPrefix } from '@tollgate/credentials';
import { VerificationError } from '../verification-error.js';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  body?: unknown;
}

// One space: passport-http-bearer splits on a single space and would otherwise drop the token,
// answering "no credential" to a request that sent one.
const B64TOKEN = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

/** How the request presents its credential: `Authorization: Bearer`, `Authorization: DPoP` (RFC 9449 §7.1) or X-API-Key. */
export type PresentationScheme = 'bearer' | 'dpop' | 'api-key';

export interface PresentedCredential {
  credential: string;
  scheme: PresentationScheme;
}
const QUERY_CREDENTIAL_NAMES = new Set(['access_token', 'api_key', 'apikey', 'api-key', 'token']);

const invalidRequest = (description: string, reason: string) =>
  new VerificationError('invalid_request', description, reason);

/**
 * Enforces where a credential may travel before any strategy reads it: only in the Authorization
 * header (RFC 6750 §2.1) or, for API keys, X-API-Key. Credentials in the URL (§2.3, RFC 9700
 * §4.3.2: they end up in logs and Referer headers) or in a body, several credentials at once, and
 * malformed headers are refused as `invalid_request`. Returns the credential the request presents
 * (the bearer token or the API key), if any: exactly what the passport strategies would read.
 */
export function presentedCredential(request: RequestLike): string | undefined {
  return presentation(request)?.credential;
}

/** `presentedCredential`, with the scheme it came in. */
export function presentation(request: RequestLike): PresentedCredential | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(query)) {
    const value = query[name];
    if (QUERY_CREDENTIAL_NAMES.has(name.toLowerCase()) || (typeof value === 'string' && hasCredentialPrefix(value))) {
      throw invalidRequest(
        'Credentials are not accepted in the URL: send them in the Authorization header (or X-API-Key for API keys)',
        'credential_in_query',
      );
    }
  }
  const body = request.body;
  if (body && typeof body === 'object' && 'access_token' in body) {
    throw invalidRequest(
      'Credentials are not accepted in the request body: send them in the Authorization header',
      'credential_in_body',
    );
  }
  const authorization = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (Array.isArray(authorization) || Array.isArray(apiKey))
    throw invalidRequest('Send one credential header, once', 'repeated_header');
  const bearer = authorization !== undefined && /^(bearer|dpop)(\s|$)/i.test(authorization);
  const match = bearer ? B64TOKEN.exec(authorization) : null;
  if (bearer && match === null)
    throw invalidRequest('The Authorization header must be "Bearer <token>" or "DPoP <token>"', 'malformed_header');
  if (bearer && apiKey !== undefined)
    throw invalidRequest('Send either an Authorization header or an X-API-Key header, not both', 'several_credentials');
  if (apiKey !== undefined && !/^[A-Za-z0-9_]{1,128}$/.test(apiKey))
    throw invalidRequest('The X-API-Key header is malformed', 'malformed_header');
  if (match) return { credential: match[2], scheme: match[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer' };
  return apiKey === undefined ? undefined : { credential: apiKey, scheme: 'api-key' };
}
