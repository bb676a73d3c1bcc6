import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { GrantDto } from '../../clients/dto/client.dto.js';
import { IsCidr } from '../../common/is-cidr.validator.js';

export class RateLimitDto {
  @ApiProperty({ example: 100, description: 'Requests allowed per window (1–100000)' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  requests: number;

  @ApiProperty({ example: 60, description: 'Window in seconds (1–86400)' })
  @IsInt()
  @Min(1)
  @Max(86_400)
  perSeconds: number;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Production sync' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ enum: ['live', 'test'], default: 'live', description: 'Visible in the key: tgk_live_… / tgk_test_…' })
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

  @ApiPropertyOptional({ type: [String], example: ['203.0.113.0/24'], description: 'Addresses or CIDR blocks the key may be used from' })
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

export class RollApiKeyDto {
  @ApiPropertyOptional({ description: 'The old key keeps working this many minutes (0 = stops at once, max 30 days). Default 60.', default: 60 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(43_200)
  expireCurrentInMinutes?: number;
}

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'Days of history, 1–90 (default 30)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  days?: number;
}

export class ApiKeyDto {
  @ApiProperty() id: string;
  @ApiProperty() consumerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['live', 'test'] }) environment: string;
  @ApiProperty({ description: 'First characters of the key, to recognise it' }) displayPrefix: string;
  @ApiProperty({ type: [GrantDto] }) grants: GrantDto[];
  @ApiPropertyOptional({ type: [String] }) ipAllowlist: string[] | null;
  @ApiPropertyOptional({ type: RateLimitDto }) rateLimit: RateLimitDto | null;
  @ApiPropertyOptional() expiresAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() revokedAt: string | null;
  @ApiPropertyOptional() rolledFromId: string | null;
  @ApiPropertyOptional() rolledToId: string | null;
  @ApiPropertyOptional() lastUsedAt: string | null;
  @ApiPropertyOptional() lastUsedAddress: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: string;
  @ApiProperty({ description: 'Requests in the last 30 days by status class' }) usage: Record<string, number>;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key. Shown only in this response: store it now.' })
  key: string;
}

export class ApiKeyUsageDto {
  @ApiProperty() keyId: string;
  @ApiProperty({ description: 'Per UTC day: counts by status class' }) days: { day: string; counts: Record<string, number>; total: number }[];
  @ApiProperty() totals: Record<string, number>;
  @ApiPropertyOptional() lastUsedAt: string | null;
  @ApiPropertyOptional() lastUsedAddress: string | null;
}

export class LeakReportItemDto {
  @ApiProperty({ description: 'The string found (any Tollgate credential)' })
  @IsString()
  @Length(1, 10_000)
  token: string;

  @ApiPropertyOptional({ description: 'Where it was found' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  url?: string;

  @ApiPropertyOptional({ description: 'Who found it (e.g. a secret scanner)' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  source?: string;

  @ApiPropertyOptional({ description: 'Type given by the reporter; ignored' })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  type?: string;
}
