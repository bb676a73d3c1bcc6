/**
 * An authorization server whose public URL (the issuer: the `iss` of its tokens, the `issuer` of its
 * metadata, what browsers and host clients use) does not resolve where this app runs, reached at
 * another origin instead: in a container network the issuer is `http://localhost:7400` (the port
 * published on the host) and the auth-server is `http://auth-server:7400`, as Keycloak's frontend
 * URL and its internal URL. Only the connection moves: every URL keeps its public form wherever it
 * is compared (`iss`, metadata `issuer`, a DPoP proof's `htu`, a client assertion's `aud`).
 */

/**
 * `url` with the issuer's origin replaced by the internal one; a URL on any other origin (another
 * host or port, such as an mTLS endpoint alias, or a third party's) is returned unchanged.
 */
export function internalIssuerUrl(url: string | URL, issuer: string, internalUrl: string): string {
  const target = new URL(url);
  if (target.origin !== new URL(issuer).origin) return target.href;
  const internal = new URL(internalUrl);
  target.protocol = internal.protocol;
  target.host = internal.host;
  return target.href;
}

/**
 * A fetch that sends every request for the issuer's origin to `internalUrl`'s origin instead (the
 * metadata document, the token endpoint, JWKS, introspection, the revocation feed, usage reports…)
 * and every other request as it is. Redirects are the caller's business, as with fetch.
 */
export function internalIssuerFetch(
  issuer: string,
  internalUrl: string,
  baseFetch: typeof fetch = (input, init) => fetch(input, init),
): typeof fetch {
  return (input, init) => {
    if (input instanceof Request) {
      const url = internalIssuerUrl(input.url, issuer, internalUrl);
      return baseFetch(url === input.url ? input : new Request(url, input), init);
    }
    return baseFetch(internalIssuerUrl(input, issuer, internalUrl), init);
  };
}
