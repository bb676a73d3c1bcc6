import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsResourceIndicator } from '../../common/is-resource-indicator.validator.js';
import { SCOPE_TOKEN } from '../../common/scope.js';
import { MAX_LIFETIME_DAYS_LIMIT, oneOrMany, trim } from './pat-fields.js';

export class CreatePatDto {
  @ApiProperty({
    example: 'deploy script',
    description: '1–100 characters, unique among your tokens that are not revoked',
  })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1–100 characters' })
  name: string;

  @ApiProperty({
    example: ['contacts:read'],
    description:
      'Scopes the token may use; each must be held by the owner now, and the owner’s current roles still apply at every use',
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @ArrayMaxSize(100)
  @Matches(SCOPE_TOKEN, {
    each: true,
    message: 'each scope must be 1–128 characters without spaces, quotes or backslashes',
  })
  scopes: string[];

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'https://crm.tollgate.local',
    description:
      'Restricts the token to these resource indicators (one or a list); usable everywhere the owner has access when absent',
  })
  @IsOptional()
  @Transform(oneOrMany)
  @IsArray({ message: 'resource must be a resource indicator or a list of them' })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsResourceIndicator({ each: true })
  resource?: string[];

  @ApiPropertyOptional({
    example: '2026-12-31T00:00:00Z',
    description:
      'Expiry (ISO 8601); or use expiresInDays. Without either, the token never expires (only if the policy allows it).',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ example: 30, description: 'Lifetime in days, within the policy’s maximum' })
  @IsOptional()
  @IsInt({ message: 'expiresInDays must be a whole number of days' })
  @Min(1)
  @Max(MAX_LIFETIME_DAYS_LIMIT)
  expiresInDays?: number;
}
