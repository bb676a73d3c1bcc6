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
import { TokenRevocationService } from './token-revocation.service.js';

@ApiTags('oauth')
@ApiSecurity(CLIENT_SCHEME)
@Public()
@Controller('oauth')
export class TokenRevocationController {
  constructor(
    private readonly clientAuthentication: ClientAuthenticationService,
    private readonly revocation: TokenRevocationService,
  ) {}

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'revokeToken',
    summary: 'Token revocation (RFC 7009): a client revokes its own tokens; unknown tokens answer 200',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string' }, token_type_hint: { type: 'string' } },
    },
  })
  @ApiOkResponse({ description: 'Empty body' })
  @ApiBadRequestResponse({ description: 'invalid_request (RFC 7009 §2.2.1): not a form body, or no token' })
  @ApiUnauthorizedResponse({ description: 'invalid_client' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many failed client authentications for this client id or from this address, or too many in progress (Retry-After)',
  })
  async revoke(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    void reply.headers({ 'Cache-Control': 'no-store' });
    const params = formParameters(request);
    const caller = await this.clientAuthentication.authenticate(request.headers.authorization, params, request.ip);
    if (!params.token) throw new OAuthError('invalid_request', 'token is required');
    await this.revocation.revoke(params.token, caller, request.ip);
  }
}
