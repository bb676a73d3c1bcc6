import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuditEventDto } from './audit-event.response.js';

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Pass as `before` to get the next (older) page; null on the last page',
  })
  nextCursor: number | null;
}
