import { ApiProperty } from '@nestjs/swagger';

export class PermissionDto {
  @ApiProperty({ example: 'https://crm.tollgate.local' }) resource: string;
  @ApiProperty({ example: ['contacts:read'] }) scopes: string[];
}
