import type { SecuritySchemeObject } from '@nestjs/swagger';

/**
 * Every way into a Tollgate API, as OpenAPI security schemes. An app documents the ones it takes;
 * routes name them through the markers below, which `finishOpenApiDocument` turns into requirements.
 */
export const SECURITY_SCHEMES = {
  /** Client authentication at the OAuth endpoints: `client_secret_basic` (RFC 6749 §2.3.1). */
  clientSecretBasic: {
    type: 'http',
    scheme: 'basic',
    description:
      'A client id and secret, each form-urlencoded, as HTTP Basic (client_secret_basic, RFC 6749 §2.3.1). A client registered for client_secret_post or private_key_jwt (RFC 7523) sends its credentials in the form body instead.',
  },
  /** A JWT access token (RFC 9068) from the client-credentials grant or a token exchange. */
  accessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token (RFC 9068 JWT) from POST /oauth/token: the client-credentials grant with `resource` set to this API, or a personal access token exchanged for one (RFC 8693). Sent as `Authorization: Bearer` (RFC 6750 §2.1; not in the query or body).',
  },
  /** A personal access token, `tgp_…`. */
  personalAccessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'tgp_…',
    description:
      "A personal access token (tgp_…), created in the console's account settings; acts with its user's permissions, narrowed to its scopes.",
  },
  /** An API key, `tgk_live_…` / `tgk_test_…`, as a bearer token. */
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'tgk_live_… / tgk_test_…',
    description: 'An API key issued to an API consumer (tgk_live_… or tgk_test_…), as `Authorization: Bearer`.',
  },
  /** An API key in the `X-API-Key` header. */
  apiKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'An API key (tgk_live_… or tgk_test_…) in the X-API-Key header.',
  },
  /** The console's session cookie; unsafe methods also need `csrfToken`. */
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'tollgate_session',
    description:
      'The console session cookie set by POST /api/session (`__Host-tollgate_session` when served over HTTPS). POST, PUT, PATCH and DELETE also need the X-CSRF-Token header.',
  },
  /** The CSRF token that goes with the session cookie on unsafe methods. */
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description:
      'The `csrfToken` returned by POST or GET /api/session; required with the session cookie on POST, PUT, PATCH and DELETE.',
  },
} satisfies Record<string, SecuritySchemeObject>;

export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;

/** Marks a route that takes the app's bearer credentials (`OpenApiOptions.bearerCredentials`): `@ApiBearerAuth(BEARER_SCHEME)`. */
export const BEARER_SCHEME = 'bearer';
/** Marks a route that takes the console session only: `@ApiCookieAuth(SESSION_SCHEME)`. */
export const SESSION_SCHEME = 'session';
/** Marks a route that authenticates an OAuth client (Basic, form body or assertion): `@ApiSecurity(CLIENT_SCHEME)`. */
export const CLIENT_SCHEME = 'client';
/** The OpenAPI extension through which `@RequireScopes` names the scopes a route needs (folded into its security requirements). */
export const REQUIRED_SCOPES_EXTENSION = 'x-required-scopes';
