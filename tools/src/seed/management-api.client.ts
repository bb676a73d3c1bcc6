import {
  type AuthorizationServerMetadata,
  AuthServerUnavailableError,
  ClientCredentialsTokenProvider,
  createAuthorizedFetch,
  DiscoveryError,
  discoverAuthorizationServer,
  TokenRequestError,
} from '@tollgate/m2m-client';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { describeErrorBody, type Fetch, fetchJson, type JsonResponse } from './http-json.js';
import { SeedError } from './seed-error.js';

/** The management API answered something other than what the caller expected. */
export class ManagementApiError extends SeedError {
  override name = 'ManagementApiError';

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status} (${describeErrorBody(body)})`);
  }
}

export type TokenAttempt =
  | { ok: true; accessToken: string; scope: string; expiresIn: number }
  | { ok: false; status: number; error: string; description?: string };

export type SecretAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface AdminCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * The auth-server's management API as the bootstrap admin: an `admin` token on the management API
 * (the resource the metadata names in `management_api_resource`) from the client-credentials grant, renewed before it expires, plus plain token requests for
 * checking other clients' secrets.
 */
export class ManagementApiClient {
  private constructor(
    readonly issuer: string,
    readonly metadata: AuthorizationServerMetadata,
    private readonly authorizedFetch: Fetch,
  ) {}

  /** Discovers the issuer (RFC 8414) and obtains an admin token; throws a SeedError that says what to fix. */
  static async connect(issuer: string, admin: AdminCredentials): Promise<ManagementApiClient> {
    let metadata: AuthorizationServerMetadata;
    try {
      metadata = await discoverAuthorizationServer(issuer, { timeoutMs: 10_000 });
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
    return new ManagementApiClient(issuer, metadata, createAuthorizedFetch(tokens));
  }

  /** RFC 8707 indicator of the management API (the metadata's `management_api_resource`): the `aud` of tokens for `/api`. */
  get managementApi(): string {
    return this.metadata.management_api_resource!;
  }

  request<T = any>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    return fetchJson<T>(this.issuer + path, { method, body }, this.authorizedFetch);
  }

  /** A call that must answer one of `expected`; anything else throws a ManagementApiError. */
  async call<T = any>(method: string, path: string, body: unknown, expected: number | number[]): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (!(Array.isArray(expected) ? expected : [expected]).includes(response.status))
      throw new ManagementApiError(method, path, response.status, response.body);
    return response.body;
  }

  /** One client-credentials token request (RFC 6749 §4.4) for any client; never throws for an OAuth error. */
  async clientCredentials(
    clientId: string,
    clientSecret: string,
    params: { resource?: string; scope?: string } = {},
    method: SecretAuthMethod = 'client_secret_basic',
  ): Promise<TokenAttempt> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (params.resource) form.set('resource', params.resource);
    if (params.scope) form.set('scope', params.scope);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (method === 'client_secret_basic')
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
    else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const response = await fetchJson(this.metadata.token_endpoint, { method: 'POST', headers, body: form });
    const body = response.body as Record<string, unknown> | undefined;
    if (response.status === 200 && typeof body?.access_token === 'string') {
      return {
        ok: true,
        accessToken: body.access_token,
        scope: typeof body.scope === 'string' ? body.scope : '',
        expiresIn: Number(body.expires_in),
      };
    }
    return {
      ok: false,
      status: response.status,
      error: typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`,
      description: typeof body?.error_description === 'string' ? body.error_description : undefined,
    };
  }
}

/** application/x-www-form-urlencoded before Basic's base64 (RFC 6749 §2.3.1). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
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
