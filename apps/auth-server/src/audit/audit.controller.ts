import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform';
import { RequireScopes } from '@tollgate/verifier';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto } from './dto/audit-page.response.js';
import { AuditQueryDto } from './dto/list-audit-events.query.js';

@ApiTags('audit')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ operationId: 'listAuditEvents', summary: 'Query the audit log, newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  query(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.page(query);
  }
}
