import { ApiPropertyOptional } from '@nestjs/swagger';
import { PortalLimitsDto } from './portal-limits.dto.js';

export class PortalDto {
  @ApiPropertyOptional({ type: PortalLimitsDto, nullable: true, description: 'null while the portal is closed' })
  limits: PortalLimitsDto | null;
}
