import {
  type AuthorizationServerMetadata,
  authorizationServerMetadataUrl,
  discoverAuthorizationServer,
} from '@tollgate/m2m-client';
import type { JWTVerifyGetKey } from 'jose';
import { remoteKeySet } from './jwt/remote-key-set.js';
import { unavailable } from './verification-error.js';

const REDISCOVERY_COOLDOWN_MS = 5_000;

/**
 * The auth-server as a resource server sees it: metadata discovered lazily (so a resource server
 * can start before the auth-server), then cached; failures are retried after a short cooldown and
 * surface as "temporarily unavailable", never as an invalid token.
 */
export class RemoteAuthorizationServer {
  private metadataPromise?: Promise<AuthorizationServerMetadata>;
  private failedAt = 0;
  private jwks?: JWTVerifyGetKey;

  constructor(
    readonly issuer: string,
    private readonly options: { fetch?: typeof fetch } = {},
  ) {}

  metadata(): Promise<AuthorizationServerMetadata> {
    if (!this.metadataPromise && Date.now() - this.failedAt < REDISCOVERY_COOLDOWN_MS) {
      return Promise.reject(
        unavailable(`The authorization server at ${this.issuer} is unreachable`, 'discovery_failed'),
      );
    }
    this.metadataPromise ??= discoverAuthorizationServer(this.issuer, { fetch: this.options.fetch }).catch(
      (error: Error) => {
        this.metadataPromise = undefined;
        this.failedAt = Date.now();
        throw unavailable(error.message, 'discovery_failed');
      },
    );
    return this.metadataPromise;
  }

  /** The issuer's JWKS (cached, refetched on unknown kid at most every 30 s). */
  readonly keySet: JWTVerifyGetKey = async (header, token) => {
    if (!this.jwks) this.jwks = remoteKeySet((await this.metadata()).jwks_uri, { fetch: this.options.fetch });
    return this.jwks(header, token);
  };

  /** Drops the cached JWKS (a signing key was retired): the next verification fetches it again. */
  reloadKeys(): void {
    this.jwks = undefined;
  }

  async introspectionEndpoint(): Promise<string> {
    const endpoint = (await this.metadata()).introspection_endpoint;
    if (!endpoint)
      throw unavailable(
        `The authorization server at ${this.issuer} offers no introspection endpoint`,
        'no_introspection',
      );
    return endpoint;
  }

  /** RFC 8707 indicator of the auth-server's management API: the audience of tokens for the feed and usage reports. */
  managementApiResource(): Promise<string> {
    return this.advertised('management_api_resource');
  }

  /** The revocation feed (server-sent events; scope `revocations:read` on the management API). */
  revocationFeedEndpoint(): Promise<string> {
    return this.advertised('revocation_feed_endpoint');
  }

  /** Where usage and refusals are reported (scope `usage:write` on the management API). */
  usageEndpoint(): Promise<string> {
    return this.advertised('usage_endpoint');
  }

  /** A URL the metadata must name: an auth-server that does not is refused, never guessed at. */
  private async advertised(
    member: 'management_api_resource' | 'revocation_feed_endpoint' | 'usage_endpoint',
  ): Promise<string> {
    const value = (await this.metadata())[member];
    if (typeof value !== 'string' || !URL.canParse(value)) {
      throw unavailable(
        `The authorization server at ${this.issuer} advertises no valid ${member} in its metadata (${authorizationServerMetadataUrl(this.issuer)})`,
        'metadata_incomplete',
      );
    }
    return value;
  }
}
