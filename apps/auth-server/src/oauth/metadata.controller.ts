import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DPOP_ALGORITHMS } from '@tollgate/dpop';
import { Public } from '@tollgate/verifier/nest';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { JWKS_MAX_AGE_SECONDS, SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { CLIENT_ASSERTION_ALGORITHMS } from './client-assertion.verifier.js';
import { oauthSchema } from './oauth-schemas.js';
import { PAT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './token-exchange.grant.js';

/** RFC 8628 §3.4 (the grant lives in device/, which depends on this module). */
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** RFC 8414 authorization server metadata, and the JWKS it points to. */
export function authorizationServerMetadata(
  config: Pick<AuthServerConfig, 'issuer' | 'managementApiIndicator' | 'mtls'>,
  signingAlgs: string[],
) {
  const issuer = config.issuer;
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    device_authorization_endpoint: `${issuer}/oauth/device_authorization`,
    // No authorization endpoint: only grants without a user agent are offered.
    response_types_supported: [],
    grant_types_supported: ['client_credentials', TOKEN_EXCHANGE_GRANT, DEVICE_CODE_GRANT],
    // RFC 8705 §2 at the mTLS endpoint: a client's own (self-signed) certificate authenticates it, and
    // so does one from a CA in TLS_CLIENT_CA_FILE that names it (tls_client_auth).
    token_endpoint_auth_methods_supported: [
      ...CLIENT_AUTH_METHODS,
      ...(config.mtls?.clientCaPem ? ['tls_client_auth'] : []),
      ...(config.mtls ? ['self_signed_tls_client_auth'] : []),
    ],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    access_token_signing_alg_values_supported: signingAlgs,
    // RFC 9449 §5.1: the token endpoint binds tokens to a DPoP key when a proof comes with the request.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    // RFC 8705 §3.3, §5: certificate-bound tokens from the mTLS endpoint, when it is configured.
    ...(config.mtls && {
      tls_client_certificate_bound_access_tokens: true,
      mtls_endpoint_aliases: { token_endpoint: `${config.mtls.url}/oauth/token` },
    }),
    // Not registered by RFC 8414: tells token-exchange clients which subject_token_type to send.
    token_exchange_subject_token_types_supported: [PAT_TOKEN_TYPE],
    service_documentation: `${issuer}/docs`,
    // Extensions (RFC 8414 §2 allows them), so resource servers build none of these URLs by hand:
    // the management API's RFC 8707 indicator (the audience of tokens for the two endpoints below),
    // the revocation feed (server-sent events, scope revocations:read) and usage reports (scope usage:write).
    management_api_resource: config.managementApiIndicator,
    revocation_feed_endpoint: `${issuer}/api/revocations/stream`,
    usage_endpoint: `${issuer}/api/usage`,
  };
}

@ApiTags('oauth')
@Public()
@Controller()
export class MetadataController {
  private readonly metadata: ReturnType<typeof authorizationServerMetadata>;

  constructor(
    @Inject(AUTH_SERVER_CONFIG) config: AuthServerConfig,
    private readonly keys: SigningKeysService,
  ) {
    this.metadata = authorizationServerMetadata(config, ['ES256', 'EdDSA']);
  }

  @Get('.well-known/oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ operationId: 'getAuthorizationServerMetadata', summary: 'Authorization server metadata (RFC 8414)' })
  @ApiOkResponse({ description: 'Metadata document', schema: oauthSchema('AuthorizationServerMetadata') })
  discovery() {
    return this.metadata;
  }

  @Get('.well-known/jwks.json')
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @Header('Content-Type', 'application/jwk-set+json')
  @ApiOperation({ operationId: 'getJwks', summary: 'Public signing keys (JWKS): next, current and previous keys' })
  @ApiOkResponse({
    description: 'JWK set, public members only',
    content: { 'application/jwk-set+json': { schema: oauthSchema('JsonWebKeySet') } },
  })
  jwks() {
    return this.keys.jwks();
  }
}
