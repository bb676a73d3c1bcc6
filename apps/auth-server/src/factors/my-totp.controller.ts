import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { SESSION_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { SessionOnly } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { RequireRecentSignIn } from '../common/recent-sign-in.js';
import { UsersService } from '../users/users.service.js';
import { ConfirmTotpDto, TotpEnabledDto, TotpSetupDto, TotpStatusDto } from './dto/totp.dto.js';
import { SignInFactorsService } from './sign-in-factors.service.js';
import { TotpService } from './totp.service.js';

/** Account settings: your authenticator app (TOTP, RFC 6238). */
@ApiTags('me')
@ApiCookieAuth(SESSION_SCHEME)
@ApiManagementErrors()
@SessionOnly()
@Controller('api/me/totp')
export class MyTotpController {
  constructor(
    private readonly totp: TotpService,
    private readonly factors: SignInFactorsService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getMyTotp', summary: 'Whether an authenticator app is set up' })
  @ApiOkResponse({ type: TotpStatusDto })
  async status(@CurrentPrincipal() principal: Principal): Promise<TotpStatusDto> {
    const status = await this.totp.status(principal.userId!);
    return { enabled: status.enabled, enabledAt: status.enabledAt?.toISOString() ?? null };
  }

  @Post()
  @HttpCode(200)
  @RequireRecentSignIn()
  @ApiOperation({
    operationId: 'startMyTotpSetup',
    summary: 'Start setting up an authenticator app: its secret (shown this once) and key URI; confirm with a code',
  })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiConflictResponse({ description: 'An authenticator app is set up already' })
  async start(@CurrentPrincipal() principal: Principal): Promise<TotpSetupDto> {
    return this.factors.startTotp(await this.users.require(principal.userId!));
  }

  @Post('confirm')
  @HttpCode(200)
  @RequireRecentSignIn()
  @ApiOperation({
    operationId: 'confirmMyTotp',
    summary: 'Turn the app on with the code it shows; your first second factor comes with recovery codes',
  })
  @ApiOkResponse({ type: TotpEnabledDto })
  @ApiConflictResponse({ description: 'No set-up in progress' })
  async confirm(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ConfirmTotpDto,
    @Actor() actor: AuditActor,
  ): Promise<TotpEnabledDto> {
    const enabled = await this.factors.confirmTotp(principal.userId!, body.code, actor);
    return {
      enabled: true,
      enabledAt: enabled.enabledAt.toISOString(),
      ...(enabled.recoveryCodes && { recoveryCodes: enabled.recoveryCodes }),
    };
  }

  @Delete()
  @HttpCode(204)
  @RequireRecentSignIn()
  @ApiOperation({ operationId: 'deleteMyTotp', summary: 'Turn the authenticator app off' })
  @ApiNoContentResponse()
  @ApiConflictResponse({
    description: 'No app is set up, or it is your last second factor and the sign-in policy requires one',
  })
  async disable(@CurrentPrincipal() principal: Principal, @Actor() actor: AuditActor): Promise<void> {
    await this.factors.disableTotp(principal.userId!, actor);
  }
}
