import {
  type AccessToken,
  type ClientAuthMethod,
  ClientCredentialsTokenProvider,
  type TokenSource,
} from '@tollgate/m2m-client';
import type { RemoteAuthorizationServer } from './remote-authorization-server.js';

export interface ManagementApiTokensOptions {
  clientId: string;
  clientSecret: string;
  /** The one management API scope these tokens are for (e.g. `MANAGEMENT_SCOPES.revocationsRead`). */
  scope: string;
  authMethod?: ClientAuthMethod;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Client-credentials tokens for the auth-server's management API, whose resource indicator is read
 * from the metadata (`management_api_resource`) on first use: a resource server can start before the
 * auth-server, and never builds the indicator by hand.
 */
export class ManagementApiTokens implements TokenSource {
  private provider?: ClientCredentialsTokenProvider;

  constructor(
    private readonly authorizationServer: RemoteAuthorizationServer,
    private readonly options: ManagementApiTokensOptions,
  ) {}

  async getToken(): Promise<AccessToken> {
    if (!this.provider) {
      const resource = await this.authorizationServer.managementApiResource();
      this.provider ??= new ClientCredentialsTokenProvider({
        ...this.options,
        issuer: this.authorizationServer.issuer,
        resource,
      });
    }
    return this.provider.getToken();
  }

  invalidate(rejected?: AccessToken | string): void {
    this.provider?.invalidate(rejected);
  }
}
