import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { ROLE_NAME_MESSAGE, ROLE_NAME_PATTERN } from './role-name.js';

export class UpdateRoleDto {
  @ApiPropertyOptional({ example: 'crm-editor' })
  @IsOptional()
  @Matches(ROLE_NAME_PATTERN, { message: ROLE_NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 255)
  description?: string;

  @ApiPropertyOptional({
    type: [GrantDto],
    description: 'Replaces all grants; applies at once to every user with the role and to their PATs',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants?: GrantDto[];
}
