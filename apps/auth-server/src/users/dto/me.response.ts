import { ApiProperty } from '@nestjs/swagger';
import { PermissionDto } from './permission.response.js';
import { UserDto } from './user.response.js';

export class MeDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({
    type: [PermissionDto],
    description: 'Scopes held per resource, from the user’s roles, now: the most a new PAT may carry',
  })
  permissions: PermissionDto[];
}
