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
} from '@nestjs/swagger';
import { OAuthError } from '@tollgate/platform/http';
import { MemoryRateLimiter } from '@tollgate/rate-limit';
import { Public } from '@tollgate/verifier/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formParameters } from '../oauth/form-parameters.js';
import { oauthSchema } from '../oauth/oauth-schemas.js';
import { type DeviceAuthorizationResponse, DeviceAuthorizationService } from './device-authorization.service.js';
import { deviceGrantClient } from './device-client.js';

/** Each request stores a row until it expires: 20 a minute from one address (a sign-in takes one). */
const REQUESTS_PER_ADDRESS = { requests: 20, perSeconds: 60 };

@ApiTags('oauth')
@Public()
@Controller('oauth')
export class DeviceAuthorizationController {
  private readonly limiter = new MemoryRateLimiter();

  constructor(private readonly devices: DeviceAuthorizationService) {}

  @Post('device_authorization')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'requestDeviceAuthorization',
    summary:
      'Device authorization request (RFC 8628 §3.1): the CLI gets a device code to poll with and a user code for a person to approve in the console',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['client_id', 'scope'],
      properties: {
        client_id: { type: 'string', example: 'tollgate-cli' },
        scope: { type: 'string', example: 'admin', description: 'Space-separated scopes of the resource' },
        resource: {
          type: 'string',
          description: 'RFC 8707 indicator; the management API when absent (required to pair)',
        },
        device_id: {
          type: 'string',
          example: 'thermostat-3',
          description: 'Pairing only: the client id the device asks for',
        },
        device_jwk: {
          type: 'string',
          description:
            'Pairing only: the device’s public key (EC P-256 or Ed25519) as a JWK in JSON; it will authenticate with private_key_jwt',
        },
      },
    },
  })
  @ApiOkResponse({ description: 'The codes and where to approve', schema: oauthSchema('DeviceAuthorizationResponse') })
  @ApiBadRequestResponse({ description: 'invalid_request, invalid_scope, invalid_target, unauthorized_client' })
  @ApiUnauthorizedResponse({ description: 'invalid_client: no client_id, or a credential sent by the public client' })
  @ApiTooManyRequestsResponse({ description: 'Too many requests from this address (Retry-After)' })
  async authorize(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DeviceAuthorizationResponse> {
    void reply.headers({ 'Cache-Control': 'no-store' });
    const params = formParameters(request, {});
    const clientId = deviceGrantClient(request.headers.authorization, params);
    const decision = await this.limiter.take(`device:${request.ip}`, REQUESTS_PER_ADDRESS);
    if (!decision.allowed)
      throw new OAuthError(
        'temporarily_unavailable',
        `Too many device authorization requests from this address; retry in ${decision.retryAfterSeconds} s`,
        429,
        { 'Retry-After': String(decision.retryAfterSeconds) },
      );
    return this.devices.start(
      clientId,
      { scope: params.scope, resource: params.resource, deviceId: params.device_id, deviceJwk: params.device_jwk },
      request.ip,
    );
  }
}
