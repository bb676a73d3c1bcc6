import {
  type AuthorizationServerMetadata,
  AuthServerUnavailableError,
  ClientCredentialsTokenProvider,
  createAuthorizedFetch,
  DiscoveryError,
  discoverAuthorizationServer,
  internalIssuerFetch,
  TokenRequestError,
} from '@tollgate/m2m-client';
import { type AuthServerApi, basicAuthorization, createAuthServerApi, formRequest } from '@tollgate/api-client';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import type { DpopKey } from '@tollgate/dpop';
import { SeedError } from './seed-error.js';

export type TokenAttempt =
  | { ok: true; accessToken: string; tokenType: string; scope: string; expiresIn: number }
  | { ok: false; status: number; error: string; description?: string };

export type SecretAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface AdminCredentials {
  clientId: string;
  clientSecret: string;
}

export interface ConnectOptions {
  /** Where the auth-server is reached when the issuer URL does not resolve here (AUTH_INTERNAL_URL). */
  internalUrl?: string;
}

/**
 * The auth-server's management API as the bootstrap admin, through the generated client
 * (@tollgate/api-client): an `admin` token on the management API (the resource the metadata names
 * in `management_api_resource`) from the client-credentials grant, renewed before it expires; plus
 * plain token requests for checking other clients' secrets.
 */
export class ManagementApiClient {
  /** Management API calls, as the bootstrap admin. */
  readonly api: AuthServerApi;
  /** The OAuth endpoints, with no credential of the admin's. */
  private readonly oauth: AuthServerApi;

  private constructor(
    readonly issuer: string,
    readonly metadata: AuthorizationServerMetadata,
    tokens: ClientCredentialsTokenProvider,
    /** Where the auth-server is reached: the issuer, or its internal URL. */
    readonly url: string,
    /** Fetches any URL the metadata names (those on the issuer's origin at `url`). */
    readonly fetch: typeof globalThis.fetch,
  ) {
    this.api = createAuthServerApi({ baseUrl: url, fetch: createAuthorizedFetch(tokens) });
    this.oauth = createAuthServerApi({ baseUrl: url });
  }

  /** Discovers the issuer (RFC 8414) and obtains an admin token; throws a SeedError that says what to fix. */
  static async connect(
    issuer: string,
    admin: AdminCredentials,
    options: ConnectOptions = {},
  ): Promise<ManagementApiClient> {
    const fetchImpl = options.internalUrl
      ? internalIssuerFetch(issuer, options.internalUrl)
      : (input: string | URL | Request, init?: RequestInit) => fetch(input, init);
    let metadata: AuthorizationServerMetadata;
    try {
      metadata = await discoverAuthorizationServer(issuer, { timeoutMs: 10_000, fetch: fetchImpl });
    } catch (error) {
      if (error instanceof DiscoveryError)
        throw new SeedError(`${error.message}. Is AUTH_ISSUER the auth-server's issuer URL?`, { cause: error });
      throw error;
    }
    const managementApi = metadata.management_api_resource;
    if (typeof managementApi !== 'string' || !URL.canParse(managementApi)) {
      throw new SeedError(
        `The auth-server at ${issuer} advertises no management_api_resource in its metadata: is it a Tollgate auth-server of this version?`,
      );
    }
    const tokens = new ClientCredentialsTokenProvider({
      issuer,
      internalUrl: options.internalUrl,
      clientId: admin.clientId,
      clientSecret: admin.clientSecret,
      resource: managementApi,
      scope: MANAGEMENT_SCOPES.admin,
    });
    try {
      await tokens.getToken();
    } catch (error) {
      throw explainAdminFailure(error, issuer, admin.clientId, managementApi);
    }
    return new ManagementApiClient(issuer, metadata, tokens, options.internalUrl ?? issuer, fetchImpl);
  }

  /** RFC 8707 indicator of the management API (the metadata's `management_api_resource`): the `aud` of tokens for `/api`. */
  get managementApi(): string {
    return this.metadata.management_api_resource!;
  }

  /** One client-credentials token request (RFC 6749 §4.4) for any client; never throws for an OAuth error. */
  async clientCredentials(
    clientId: string,
    clientSecret: string,
    params: { resource?: string; scope?: string } = {},
    method: SecretAuthMethod = 'client_secret_basic',
    /** A DPoP key: the token is requested bound to it (RFC 9449). */
    dpopKey?: DpopKey,
  ): Promise<TokenAttempt> {
    const basic = method === 'client_secret_basic';
    const request = formRequest({
      grant_type: 'client_credentials',
      ...params,
      ...(basic ? {} : { client_id: clientId, client_secret: clientSecret }),
    });
    if (basic) request.headers.authorization = basicAuthorization(clientId, clientSecret);
    if (dpopKey) request.headers.dpop = await dpopKey.proof({ method: 'POST', url: this.metadata.token_endpoint });
    const { data, error, response } = await this.oauth.POST('/oauth/token', request);
    if (data)
      return {
        ok: true,
        accessToken: data.access_token,
        tokenType: data.token_type,
        scope: data.scope,
        expiresIn: data.expires_in,
      };
    const body = error as { error?: unknown; error_description?: unknown } | undefined;
    return {
      ok: false,
      status: response.status,
      error: typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`,
      description: typeof body?.error_description === 'string' ? body.error_description : undefined,
    };
  }
}

function explainAdminFailure(error: unknown, issuer: string, clientId: string, managementApi: string): Error {
  if (error instanceof TokenRequestError) {
    if (error.error === 'invalid_client') {
      return new SeedError(
        `The auth-server at ${issuer} refused the bootstrap admin "${clientId}" (invalid_client): BOOTSTRAP_ADMIN_CLIENT_ID and BOOTSTRAP_ADMIN_CLIENT_SECRET must be the ones the auth-server was started with`,
      );
    }
    return new SeedError(
      `The bootstrap admin "${clientId}" cannot get an admin token from ${issuer} (${error.error}${error.error_description ? `: ${error.error_description}` : ''}); it needs scope "admin" on ${managementApi}`,
    );
  }
  if (error instanceof AuthServerUnavailableError) return new SeedError(error.message, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
