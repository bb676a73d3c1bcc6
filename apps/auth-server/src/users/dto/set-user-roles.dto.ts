import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { ROLE_NAME_PATTERN } from '../../roles/dto/role-name.js';

export class SetUserRolesDto {
  @ApiProperty({ example: ['crm-editor'] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ROLE_NAME_PATTERN, { each: true, message: 'each role must be a role name' })
  roles: string[];
}
