import { ApiProperty } from '@nestjs/swagger';
import { PortalLimitsDto } from './portal-limits.dto.js';

/** An API consumer whose keys you manage in the developer portal, and the provider's limits. */
export class MyConsumerDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: PortalLimitsDto }) limits: PortalLimitsDto;
}
