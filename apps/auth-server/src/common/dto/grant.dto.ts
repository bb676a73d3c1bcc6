import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { IsResourceIndicator } from '../is-resource-indicator.validator.js';
import { SCOPE_TOKEN } from '../scope.js';

export class GrantDto {
  @ApiProperty({ example: 'https://crm.tollgate.local', description: 'Resource indicator' })
  @IsResourceIndicator()
  resource: string;

  @ApiProperty({ example: ['contacts:read'] })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SCOPE_TOKEN, {
    each: true,
    message: 'each scope must be 1–128 characters without spaces, quotes or backslashes',
  })
  scopes: string[];
}
