import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { SESSION_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import type { FastifyRequest } from 'fastify';
import { SessionOnly } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { DeviceAuthorizationService } from './device-authorization.service.js';
import { ApproveDeviceDto, UserCodeDto } from './dto/device-decision.dto.js';
import { DeviceApprovalDto, DeviceRequestDto } from './dto/device-request.response.js';

/**
 * The console's device page: a signed-in person looks up the code the CLI shows, sees what it asks
 * for, and approves or denies it. Codes travel in the body, never in a URL the server logs.
 */
@ApiTags('device')
@ApiCookieAuth(SESSION_SCHEME)
@ApiManagementErrors()
@ApiTooManyRequestsResponse({ description: 'Too many wrong codes from you (Retry-After)' })
@SessionOnly()
@Controller('api/device')
export class DeviceApprovalController {
  constructor(private readonly devices: DeviceAuthorizationService) {}

  @Post('lookup')
  @HttpCode(200)
  @ApiOperation({ operationId: 'lookUpDeviceRequest', summary: 'What the sign-in request behind a user code asks for' })
  @ApiOkResponse({ type: DeviceRequestDto })
  async lookUp(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UserCodeDto,
    @Req() request: FastifyRequest,
  ): Promise<DeviceRequestDto> {
    return DeviceRequestDto.from(await this.devices.describe(body.userCode, principal.userId!, request.ip));
  }

  @Post('approve')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'approveDeviceRequest',
    summary: 'Approve the request (all its scopes, or those given); the CLI’s next poll receives a PAT with them',
  })
  @ApiOkResponse({ type: DeviceApprovalDto })
  @ApiConflictResponse({ description: 'Already approved or denied' })
  async approve(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ApproveDeviceDto,
    @Req() request: FastifyRequest,
  ): Promise<DeviceApprovalDto> {
    const actor = { type: 'user' as const, id: principal.userId! };
    return {
      scopes: await this.devices.approve(body.userCode, actor, request.ip, {
        scopes: body.scopes,
        controller: body.controller,
      }),
    };
  }

  @Post('deny')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'denyDeviceRequest',
    summary: 'Deny the request; the CLI’s next poll gets access_denied',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'Already approved or denied' })
  async deny(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UserCodeDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.devices.deny(body.userCode, { type: 'user', id: principal.userId! }, request.ip);
  }
}
