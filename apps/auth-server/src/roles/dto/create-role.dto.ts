import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { ROLE_NAME_MESSAGE, ROLE_NAME_PATTERN } from './role-name.js';

export class CreateRoleDto {
  @ApiProperty({ example: 'crm-editor' })
  @Matches(ROLE_NAME_PATTERN, { message: ROLE_NAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({ example: 'Reads and edits CRM contacts' })
  @IsOptional()
  @IsString()
  @Length(0, 255)
  description?: string;

  @ApiProperty({
    type: [GrantDto],
    description: 'Scopes the role gives, per resource (each scope must be defined by the resource)',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants: GrantDto[];
}
