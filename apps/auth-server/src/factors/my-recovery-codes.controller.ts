import { Controller, Get, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
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
import { RecoveryCodesDto, RecoveryCodesStatusDto } from './dto/recovery-codes.dto.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { SignInFactorsService } from './sign-in-factors.service.js';

/** Account settings: your recovery codes (how many are left; new ones, shown once). */
@ApiTags('me')
@ApiCookieAuth(SESSION_SCHEME)
@ApiManagementErrors()
@SessionOnly()
@Controller('api/me/recovery-codes')
export class MyRecoveryCodesController {
  constructor(
    private readonly codes: RecoveryCodesService,
    private readonly factors: SignInFactorsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getMyRecoveryCodes',
    summary: 'How many of your recovery codes are left (never the codes)',
  })
  @ApiOkResponse({ type: RecoveryCodesStatusDto })
  async status(@CurrentPrincipal() principal: Principal): Promise<RecoveryCodesStatusDto> {
    const status = await this.codes.status(principal.userId!);
    return { ...status, generatedAt: status.generatedAt?.toISOString() ?? null };
  }

  @Post()
  @RequireRecentSignIn()
  @ApiOperation({
    operationId: 'regenerateMyRecoveryCodes',
    summary: 'Ten new recovery codes, shown this once; the previous ones stop working',
  })
  @ApiCreatedResponse({ type: RecoveryCodesDto })
  @ApiConflictResponse({ description: 'You have no passkey or authenticator app for the codes to stand in for' })
  async regenerate(@CurrentPrincipal() principal: Principal, @Actor() actor: AuditActor): Promise<RecoveryCodesDto> {
    const generated = await this.factors.regenerateRecoveryCodes(principal.userId!, actor);
    return { codes: generated.codes, generatedAt: generated.generatedAt.toISOString() };
  }
}
