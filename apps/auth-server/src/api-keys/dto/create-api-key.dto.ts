import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { IsCidr } from '../../common/is-cidr.validator.js';
import { RateLimitDto } from './rate-limit.dto.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Production sync' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({
    enum: ['live', 'test'],
    default: 'live',
    description: 'Visible in the key: tgk_live_… / tgk_test_…',
  })
  @IsOptional()
  @IsIn(['live', 'test'])
  environment?: 'live' | 'test';

  @ApiProperty({ type: [GrantDto], description: 'Scopes per resource (a restricted key holds only these)' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants: GrantDto[];

  @ApiPropertyOptional({ description: 'ISO 8601 expiry; no expiry when absent' })
  @IsOptional()
  @IsDateString()
  expiresAt?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['203.0.113.0/24'],
    description: 'Addresses or CIDR blocks the key may be used from',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsCidr({ each: true })
  ipAllowlist?: string[];

  @ApiPropertyOptional({ type: RateLimitDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto;
}
