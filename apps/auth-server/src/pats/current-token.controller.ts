import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { AllowCredentials } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { PatsService } from './pats.service.js';

/**
 * A personal access token revokes itself (as `tollgate logout` does, and as GitHub lets an
 * installation token do): whoever holds it may end it, which needs no other authority.
 */
@ApiTags('me')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@AllowCredentials({
  allowed: ['pat', 'cli_sign_in'],
  code: 'pat_required',
  detail: 'Only a personal access token can revoke itself here; sign out of the console with DELETE /api/session',
})
@Controller('api/me/token')
export class CurrentTokenController {
  constructor(private readonly pats: PatsService) {}

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'revokeCurrentToken',
    summary: 'Revoke the personal access token this request is made with',
  })
  @ApiNoContentResponse()
  async revoke(@CurrentPrincipal() principal: Principal, @Actor() actor: AuditActor): Promise<void> {
    await this.pats.revoke(principal.userId!, principal.credentialId, actor, 'revoked by its holder');
  }
}
