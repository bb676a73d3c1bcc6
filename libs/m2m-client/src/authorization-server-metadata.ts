import { describeFetchFailure, isJsonObject, isTimeout, readJson } from './fetch-helpers.js';

/** The subset of RFC 8414 metadata Tollgate's clients and verifiers use. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  grant_types_supported?: string[];
  /** Tollgate extension: RFC 8707 indicator of the management API (the audience of tokens for the two endpoints below). */
  management_api_resource?: string;
  /** Tollgate extension: the revocation feed (server-sent events) resource servers follow. */
  revocation_feed_endpoint?: string;
  /** Tollgate extension: where resource servers report credential usage and denials. */
  usage_endpoint?: string;
  [member: string]: unknown;
}

export interface DiscoveryErrorOptions {
  cause?: unknown;
  /** HTTP status of the metadata response, when the server answered. */
  status?: number;
  /** True when the server could not be reached or did not answer in time. */
  unreachable?: boolean;
  /** True when the request was abandoned after the timeout. */
  timedOut?: boolean;
}

/** Discovery failed: the server is unreachable (`unreachable`), answered an HTTP error (`status`), or served unusable metadata. */
export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
  readonly status?: number;
  readonly unreachable: boolean;
  readonly timedOut: boolean;

  constructor(message: string, options: DiscoveryErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.unreachable = options.unreachable ?? false;
    this.timedOut = options.timedOut ?? false;
  }

  /** Worth retrying later: the server was unreachable, timed out, rate limited us or failed (5xx). */
  get transient(): boolean {
    return this.unreachable || (this.status !== undefined && (this.status === 429 || this.status >= 500));
  }
}

export interface DiscoveryOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The RFC 8414 §3.1 metadata URL of an issuer (the well-known segment goes before any issuer path). */
export function authorizationServerMetadataUrl(issuer: string): URL {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname;
  url.pathname = `/.well-known/oauth-authorization-server${path}`;
  return url;
}

/**
 * Fetches `<issuer>/.well-known/oauth-authorization-server` (RFC 8414 §3) and checks that the
 * document names the same issuer (§3.3), so a misconfigured or impersonating server is refused.
 */
export async function discoverAuthorizationServer(
  issuer: string,
  options: DiscoveryOptions = {},
): Promise<AuthorizationServerMetadata> {
  const url = authorizationServerMetadataUrl(issuer);
  const timeoutMs = options.timeoutMs ?? 5_000;
  let response: Response;
  let body: unknown;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) body = await readJson(response);
    else await response.body?.cancel();
  } catch (error) {
    const reason = describeFetchFailure(error, timeoutMs);
    throw new DiscoveryError(`The authorization server at ${issuer} is unreachable (${reason})`, {
      cause: error,
      unreachable: true,
      timedOut: isTimeout(error),
    });
  }
  if (!response.ok) {
    throw new DiscoveryError(
      `The authorization server at ${issuer} answered ${response.status} to discovery at ${url}`,
      { status: response.status },
    );
  }
  if (!isJsonObject(body)) {
    throw new DiscoveryError(
      `The authorization server at ${issuer} served metadata at ${url} that is not a JSON object`,
      { status: response.status },
    );
  }
  const metadata = body as AuthorizationServerMetadata;
  if (metadata.issuer !== issuer) {
    throw new DiscoveryError(`Discovery at ${url} names issuer ${String(metadata.issuer)}, expected ${issuer}`, {
      status: response.status,
    });
  }
  for (const member of ['token_endpoint', 'jwks_uri'] as const) {
    const value = metadata[member];
    if (typeof value !== 'string' || !URL.canParse(value))
      throw new DiscoveryError(`Discovery at ${url} lacks a valid ${member}`, { status: response.status });
  }
  return metadata;
}
