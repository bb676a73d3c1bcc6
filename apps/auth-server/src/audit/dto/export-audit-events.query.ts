import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { AuditExportFormat } from '../audit-export.js';
import { AuditQueryDto } from './list-audit-events.query.js';

/** The audit log's filters, for a whole range at once instead of a page. */
export class AuditExportQueryDto extends OmitType(AuditQueryDto, ['limit', 'before'] as const) {
  @ApiPropertyOptional({
    enum: ['jsonl', 'csv'],
    default: 'jsonl',
    description: 'JSON Lines (one event per line, as the list returns it) or CSV (RFC 4180, with a header line)',
  })
  @IsOptional()
  @IsIn(['jsonl', 'csv'])
  format?: AuditExportFormat;
}
