import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { SignInPolicyDto } from './dto/sign-in-policy.dto.js';
import { SignInPolicyService } from './sign-in-policy.service.js';

@ApiTags('settings')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/settings/sign-in-policy')
export class SignInPolicyController {
  constructor(private readonly policy: SignInPolicyService) {}

  @Get()
  @ApiOperation({ operationId: 'getSignInPolicy', summary: 'How people must sign in to the console' })
  @ApiOkResponse({ type: SignInPolicyDto })
  get(): Promise<SignInPolicyDto> {
    return this.policy.get();
  }

  @Put()
  @ApiOperation({
    operationId: 'updateSignInPolicy',
    summary: 'Change the policy (it applies to every session at its next request)',
  })
  @ApiOkResponse({ type: SignInPolicyDto })
  @ApiConflictResponse({ description: 'You would require a second factor you do not have yourself' })
  update(@Body() body: SignInPolicyDto, @Actor() actor: AuditActor): Promise<SignInPolicyDto> {
    return this.policy.update(body, actor);
  }
}
