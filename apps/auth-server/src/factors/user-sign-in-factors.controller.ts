import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { UsersService } from '../users/users.service.js';
import { SignInFactorsService } from './sign-in-factors.service.js';

/** Account recovery by an admin, for a person who lost every passkey, their phone and their recovery codes. */
@ApiTags('users')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/users/:id/sign-in-factors')
export class UserSignInFactorsController {
  constructor(
    private readonly factors: SignInFactorsService,
    private readonly users: UsersService,
  ) {}

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'resetUserSignInFactors',
    summary:
      'Remove a person’s passkeys, authenticator app and recovery codes (they lost them): their password alone signs them in again',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'Your own factors: remove them from your account settings' })
  async reset(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.users.require(id);
    await this.factors.resetAll(id, actor);
  }
}
