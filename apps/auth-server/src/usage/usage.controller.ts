import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal, RequireScopes } from '@tollgate/verifier/nest';
import { actorOf } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UsageReportDto } from './dto/report-usage.dto.js';
import { UsageService } from './usage.service.js';

@ApiTags('usage')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.usageWrite)
@Controller('api/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'reportUsage',
    summary:
      'Resource servers report credential usage and denials (added up per credential and reason) in batches of at most 500 of each (scope usage:write)',
  })
  @ApiAcceptedResponse({
    description: 'Written: an acknowledged report survives a crash (send it again on any other answer)',
  })
  async report(@Body() body: UsageReportDto, @CurrentPrincipal() principal: Principal): Promise<{ accepted: number }> {
    await this.usage.report(body.uses, body.denials, actorOf(principal));
    return { accepted: body.uses.length + body.denials.length };
  }
}
