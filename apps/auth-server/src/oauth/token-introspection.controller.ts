import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import { OAuthError, CLIENT_SCHEME } from '@tollgate/platform/http';
import { Public } from '@tollgate/verifier/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientAuthenticationService } from './client-authentication.service.js';
import { formParameters } from './form-parameters.js';
import { oauthSchema } from './oauth-schemas.js';
import { type IntrospectionResponse, TokenIntrospectionService } from './token-introspection.service.js';

@ApiTags('oauth')
@ApiSecurity(CLIENT_SCHEME)
@Public()
@Controller('oauth')
export class TokenIntrospectionController {
  constructor(
    private readonly clientAuthentication: ClientAuthenticationService,
    private readonly introspection: TokenIntrospectionService,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'introspectToken',
    summary: 'Token introspection (RFC 7662); the caller authenticates as a client',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: {
        token: { type: 'string' },
        token_type_hint: { type: 'string' },
        resource: { type: 'string', description: 'The resource asking (scopes are computed for it)' },
      },
    },
  })
  @ApiOkResponse({
    description: '{"active": false} or the token’s claims',
    schema: oauthSchema('IntrospectionResponse'),
  })
  @ApiBadRequestResponse({ description: 'invalid_request (RFC 6749 §5.2): not a form body, or no token' })
  @ApiUnauthorizedResponse({ description: 'invalid_client' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many failed client authentications for this client id or from this address, or too many in progress (Retry-After)',
  })
  async introspect(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntrospectionResponse> {
    void reply.headers({ 'Cache-Control': 'no-store' });
    const params = formParameters(request);
    const caller = await this.clientAuthentication.authenticate(request.headers.authorization, params, request.ip);
    if (!params.token) throw new OAuthError('invalid_request', 'token is required');
    return this.introspection.introspect(params.token, caller, params.resource, request.ip);
  }
}
