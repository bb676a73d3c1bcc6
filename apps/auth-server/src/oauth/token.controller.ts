import { Controller, Delete, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiSecurity,
  ApiExcludeEndpoint,
} from '@nestjs/swagger';
import { OAuthError, CLIENT_SCHEME } from '@tollgate/platform/http';
import { Public } from '@tollgate/verifier/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { presentedCertificate } from './mtls/mtls-endpoint.js';
import { TokenEndpointMetrics } from './token-endpoint-metrics.js';
import { type AuthenticatedClient, ClientAuthenticationService } from './client-authentication.service.js';
import { BindingRefusal, type SenderBinding } from './sender-binding.js';
import { ClientCredentialsGrant } from './client-credentials.grant.js';
import { TokenEndpointDpop } from './dpop/token-endpoint-dpop.js';
import { ExtensionGrants } from './extension-grants.js';
import { type FormParameters, formParameters } from './form-parameters.js';
import { oauthSchema } from './oauth-schemas.js';
import { TOKEN_EXCHANGE_GRANT, TokenExchangeGrant } from './token-exchange.grant.js';
import type { TokenResponse } from './token-response.js';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const OAUTH_ENDPOINTS = ['token', 'introspect', 'revoke', 'device_authorization'];

function methodNotAllowed(): never {
  throw new OAuthError('invalid_request', 'Use POST with an application/x-www-form-urlencoded body', 405, {
    Allow: 'POST',
  });
}

@ApiTags('oauth')
@ApiSecurity(CLIENT_SCHEME)
@Public()
@Controller('oauth')
export class TokenController {
  constructor(
    private readonly clientAuthentication: ClientAuthenticationService,
    private readonly clientCredentials: ClientCredentialsGrant,
    private readonly tokenExchange: TokenExchangeGrant,
    private readonly extensionGrants: ExtensionGrants,
    private readonly dpop: TokenEndpointDpop,
    private readonly audit: AuditService,
    private readonly metrics: TokenEndpointMetrics,
    @Inject(AUTH_SERVER_CONFIG) config: AuthServerConfig,
  ) {
    this.mtlsTokenEndpoint = config.mtls && `${config.mtls.url}/oauth/token`;
    this.trustsClientCas = config.mtls?.clientCaPem !== undefined;
  }

  private readonly mtlsTokenEndpoint?: string;
  private readonly trustsClientCas: boolean;

  /** The OAuth endpoints take POST only (RFC 6749 §3.2, RFC 7662 §2.1, RFC 7009 §2.1): other methods get 405. */
  @Get(OAUTH_ENDPOINTS)
  @ApiExcludeEndpoint()
  get(): never {
    return methodNotAllowed();
  }

  @Put(OAUTH_ENDPOINTS)
  @ApiExcludeEndpoint()
  put(): never {
    return methodNotAllowed();
  }

  @Delete(OAUTH_ENDPOINTS)
  @ApiExcludeEndpoint()
  delete(): never {
    return methodNotAllowed();
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'requestToken',
    summary:
      'Token endpoint (RFC 6749 §3.2): client_credentials with RFC 8707 resource indicators; RFC 8693 token exchange of a PAT for a short-lived JWT',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', example: 'client_credentials' },
        device_code: { type: 'string', description: 'Device grant (RFC 8628 §3.4) only' },
        scope: { type: 'string' },
        resource: { type: 'string' },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
        client_assertion_type: { type: 'string' },
        client_assertion: { type: 'string' },
        subject_token: { type: 'string' },
        subject_token_type: { type: 'string' },
        requested_token_type: { type: 'string' },
      },
    },
  })
  @ApiHeader({
    name: 'DPoP',
    required: false,
    description:
      'A DPoP proof (RFC 9449 §4) for POST to this endpoint: the token is then bound to its key (token_type DPoP, cnf.jkt)',
  })
  @ApiOkResponse({ description: 'The access token', schema: oauthSchema('TokenResponse') })
  @ApiBadRequestResponse({ description: 'RFC 6749 §5.2 error' })
  @ApiUnauthorizedResponse({ description: 'invalid_client' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many failed client authentications for this client id or from this address, or too many in progress (Retry-After)',
  })
  async token(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    void reply.headers(NO_STORE);
    const grantType = (request.body as Record<string, unknown> | undefined)?.grant_type;
    try {
      const { response, clientKind, binding } = await this.answer(request, reply);
      this.metrics.tokenIssued(typeof grantType === 'string' ? grantType : undefined, clientKind, binding);
      return response;
    } catch (error) {
      this.metrics.requestRefused(typeof grantType === 'string' ? grantType : undefined, error);
      throw error;
    }
  }

  private async answer(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ response: TokenResponse; clientKind: string; binding: string }> {
    const params = formParameters(request, {
      resource: () => new OAuthError('invalid_target', 'Request a token for one resource at a time'),
    });
    if (!params.grant_type) throw new OAuthError('invalid_request', 'grant_type is required');
    const extension = this.extensionGrants.find(params.grant_type);
    if (extension) {
      const response = await extension.handle({
        params,
        authorization: request.headers.authorization,
        address: request.ip,
      });
      return { response, clientKind: 'device', binding: 'none' };
    }
    // The mTLS endpoint (RFC 8705): the client certificate may authenticate the client (§2) and binds the token (§3).
    const certificate = this.mtlsTokenEndpoint ? presentedCertificate(request.raw, this.trustsClientCas) : undefined;
    const caller = await this.clientAuthentication.authenticate(
      request.headers.authorization,
      params,
      request.ip,
      certificate,
    );
    try {
      // RFC 9449 §5: the proof is checked once the client is known (a stranger's proofs fill no replay cache).
      // At the mTLS endpoint without a proof, the token is bound to the client certificate.
      const mtlsTokenEndpoint = certificate && this.mtlsTokenEndpoint;
      const binding =
        (await this.dpop.binding(request.headers.dpop, mtlsTokenEndpoint || undefined)) ??
        (mtlsTokenEndpoint ? { kind: 'mtls' as const, x5tS256: certificate.thumbprint } : undefined);
      if (binding?.kind === 'dpop') void reply.headers(this.dpop.nonceHeader());
      const response = await this.grant(caller, params, request.ip, binding);
      return { response, clientKind: caller.client.kind, binding: binding?.kind ?? 'none' };
    } catch (error) {
      if (error instanceof BindingRefusal || (error instanceof OAuthError && error.error === 'invalid_dpop_proof'))
        this.audit.recordInBackground({
          action: 'token.binding.refused',
          outcome: 'denied',
          actor: { type: 'client', id: caller.client.id },
          address: request.ip,
          reason: error.description,
          details: { grant: params.grant_type },
        });
      throw error;
    }
  }

  private grant(
    caller: AuthenticatedClient,
    params: FormParameters,
    address: string,
    binding: SenderBinding | undefined,
  ): Promise<TokenResponse> {
    switch (params.grant_type) {
      case 'client_credentials':
        return this.clientCredentials.handle(caller, params, address, binding);
      case TOKEN_EXCHANGE_GRANT:
        return this.tokenExchange.handle(caller, params, address, binding);
      default:
        throw new OAuthError(
          'unsupported_grant_type',
          `Supported grant types: ${['client_credentials', TOKEN_EXCHANGE_GRANT, ...this.extensionGrants.grantTypes].join(', ')}`,
        );
    }
  }
}
