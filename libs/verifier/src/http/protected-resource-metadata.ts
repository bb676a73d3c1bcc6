/** RFC 9728 §2: what a protected resource says of itself. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
  resource_documentation?: string;
}

export interface ProtectedResourceOptions {
  /** The resource identifier (RFC 8707 indicator): the audience of its tokens. */
  resource: string;
  /** Issuer identifiers of the authorization servers whose tokens it accepts. */
  authorizationServers: string[];
  /** The scopes it understands, to help a client ask for the right ones. */
  scopes?: string[];
  /** A human-readable name (RFC 9728 §2 `resource_name`). */
  name?: string;
  documentation?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';
const isHttpUrl = (url: URL) => url.protocol === 'https:' || url.protocol === 'http:';
// A host name or an IP literal, with an optional port: nothing that could carry a path or a user.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * RFC 9728 protected resource metadata: the document, the path it is served at, and the URL to
 * name in challenges (`resource_metadata`, §5.1), so that a client that knows only an API's URL
 * can find the authorization server, as the MCP authorization spec relies on.
 */
export class ProtectedResource {
  readonly metadata: Readonly<ProtectedResourceMetadata>;
  /**
   * §3.1: the well-known segment goes between the host and the resource identifier's path (a
   * trailing slash dropped), so that several resources on one host each have their own document.
   */
  readonly metadataPath: string;

  constructor(options: ProtectedResourceOptions) {
    const resource = URL.canParse(options.resource) ? new URL(options.resource) : undefined;
    if (!resource || !isHttpUrl(resource) || resource.hash)
      throw new Error(
        `RFC 9728 describes a resource whose identifier is an http(s) URL without fragment: ${options.resource}`,
      );
    const path = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '');
    this.metadataPath = `${WELL_KNOWN}${path}`;
    this.metadata = Object.freeze({
      resource: options.resource,
      authorization_servers: [...options.authorizationServers],
      ...(options.scopes?.length ? { scopes_supported: [...options.scopes] } : {}),
      // RFC 6750 §2.1 only: the verifier refuses credentials in the body or the query.
      bearer_methods_supported: ['header'],
      ...(options.name ? { resource_name: options.name } : {}),
      ...(options.documentation ? { resource_documentation: options.documentation } : {}),
    });
  }

  /**
   * The description of a resource when RFC 9728 can give one: its identifier must be an http(s) URL
   * (§1.2). RFC 8707 also allows other absolute URIs (`urn:…`), which have no well-known path;
   * such a resource serves no metadata and its challenges name none.
   */
  static describing(options: ProtectedResourceOptions): ProtectedResource | undefined {
    try {
      return new ProtectedResource(options);
    } catch {
      return undefined;
    }
  }

  /**
   * The metadata URL on the origin the client called (`protocol` and `host` as the framework saw
   * them, behind a trusted proxy the forwarded ones); undefined when the Host header does not make
   * a URL, in which case the challenge goes without it.
   */
  metadataUrl(protocol: string, host: string | undefined): string | undefined {
    if (!host || !HOST.test(host) || (protocol !== 'http' && protocol !== 'https')) return undefined;
    try {
      return `${new URL(`${protocol}://${host}`).origin}${this.metadataPath}`;
    } catch {
      return undefined;
    }
  }
}
