import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto } from './dto/audit-page.response.js';
import { AuditQueryDto } from './dto/list-audit-events.query.js';
import { AuditExportQueryDto } from './dto/export-audit-events.query.js';

const EXPORT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

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

  @Get('export')
  @ApiOperation({
    operationId: 'exportAuditEvents',
    summary:
      'Every event the filters select (e.g. a time range), oldest first, streamed as JSON Lines or CSV: for a SIEM or an archive',
  })
  @ApiProduces(EXPORT_TYPES.jsonl, EXPORT_TYPES.csv)
  @ApiOkResponse({ description: 'The events, one per line, up to the newest event when the export started' })
  async export(@Query() query: AuditExportQueryDto): Promise<StreamableFile> {
    const format = query.format ?? 'jsonl';
    return new StreamableFile(await this.audit.export(query), {
      type: EXPORT_TYPES[format],
      disposition: `attachment; filename="tollgate-audit.${format}"`,
    });
  }
}
