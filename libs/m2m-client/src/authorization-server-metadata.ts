/** The subset of RFC 8414 metadata Tollgate's clients and verifiers use. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  grant_types_supported?: string[];
  [member: string]: unknown;
}

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

export interface DiscoveryOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Fetches `<issuer>/.well-known/oauth-authorization-server` (RFC 8414 §3) and checks that the
 * document names the same issuer (§3.3), so a misconfigured or impersonating server is refused.
 */
export async function discoverAuthorizationServer(issuer: string, options: DiscoveryOptions = {}): Promise<AuthorizationServerMetadata> {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname;
  url.pathname = `/.well-known/oauth-authorization-server${path}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
  } catch (error) {
    throw new DiscoveryError(`The authorization server at ${issuer} is unreachable (${(error as Error).message})`, { cause: error });
  }
  if (!response.ok) throw new DiscoveryError(`Discovery at ${url} answered ${response.status}`);
  const metadata = (await response.json()) as AuthorizationServerMetadata;
  if (metadata.issuer !== issuer) throw new DiscoveryError(`Discovery at ${url} names issuer ${metadata.issuer}, expected ${issuer}`);
  for (const member of ['token_endpoint', 'jwks_uri'] as const) {
    if (typeof metadata[member] !== 'string') throw new DiscoveryError(`Discovery at ${url} lacks ${member}`);
  }
  return metadata;
}
