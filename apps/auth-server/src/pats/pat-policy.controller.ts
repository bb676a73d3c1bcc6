import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { PatPolicyDto } from './dto/update-pat-policy.dto.js';
import { PatPolicyService } from './pat-policy.service.js';

@ApiTags('settings')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/settings/pat-policy')
export class PatPolicyController {
  constructor(private readonly policy: PatPolicyService) {}

  @Get()
  @ApiOperation({ operationId: 'getPatPolicy', summary: 'Lifetime policy for new personal access tokens' })
  @ApiOkResponse({ type: PatPolicyDto })
  get(): Promise<PatPolicyDto> {
    return this.policy.get();
  }

  @Put()
  @ApiOperation({
    operationId: 'updatePatPolicy',
    summary: 'Change the policy (applies to tokens created from now on)',
  })
  @ApiOkResponse({ type: PatPolicyDto })
  update(@Body() body: PatPolicyDto, @Actor() actor: AuditActor): Promise<PatPolicyDto> {
    return this.policy.update(body, actor);
  }
}
