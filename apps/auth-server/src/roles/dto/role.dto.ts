import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { GrantDto } from '../../common/dto/grant.dto.js';

export const ROLE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ROLE_NAME_MESSAGE = 'name must be 1–64 characters of lower-case letters, digits, ".", "_" or "-", starting with a letter or digit';

export class CreateRoleDto {
  @ApiProperty({ example: 'crm-editor' })
  @Matches(ROLE_NAME_PATTERN, { message: ROLE_NAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({ example: 'Reads and edits CRM contacts' })
  @IsOptional()
  @IsString()
  @Length(0, 255)
  description?: string;

  @ApiProperty({ type: [GrantDto], description: 'Scopes the role gives, per resource (each scope must be defined by the resource)' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants: GrantDto[];
}

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

  @ApiPropertyOptional({ type: [GrantDto], description: 'Replaces all grants; applies at once to every user with the role and to their PATs' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants?: GrantDto[];
}

export class RoleDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() description: string | null;
  @ApiProperty({ description: 'Created by Tollgate (admin): cannot be deleted, grants fixed' }) system: boolean;
  @ApiProperty({ type: [GrantDto] }) grants: GrantDto[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
