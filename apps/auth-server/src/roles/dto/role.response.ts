import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GrantDto } from '../../common/dto/grant.dto.js';

export class RoleDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ description: 'Created by Tollgate (admin): cannot be deleted, grants fixed' }) system: boolean;
  @ApiProperty({ type: [GrantDto] }) grants: GrantDto[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
