import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { USAGE_REPORT_LIMITS } from '@tollgate/verifier';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

export class CredentialUseDto {
  @ApiProperty({ enum: ['api_key', 'pat'] })
  @IsIn(['api_key', 'pat'])
  credentialType: 'api_key' | 'pat';

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  credentialId: string;

  @ApiProperty({ example: '2026-11-26', description: 'UTC day' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  day: string;

  @ApiProperty({ example: '2xx', description: 'Refusals by the credential’s own rate limit (429) or address allowlist (403) count as 4xx' })
  @Matches(/^[1-5]xx$/)
  statusClass: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(USAGE_REPORT_LIMITS.maxCount)
  count: number;

  @ApiProperty()
  @IsDateString()
  lastUsedAt: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, USAGE_REPORT_LIMITS.maxAddressLength)
  lastUsedAddress?: string;
}

export class DeniedRequestSampleDto {
  @ApiProperty()
  @IsString()
  @Length(1, USAGE_REPORT_LIMITS.maxAddressLength)
  address: string;

  @ApiProperty()
  @Matches(/^[A-Z]{3,7}$/)
  method: string;

  @ApiProperty()
  @IsString()
  @Length(1, USAGE_REPORT_LIMITS.maxPathLength)
  path: string;
}

/** Requests with one credential refused for one reason since the last report: a count and a few examples. */
export class CredentialDenialDto {
  @ApiProperty({ enum: ['api_key', 'pat', 'access_token'] })
  @IsIn(['api_key', 'pat', 'access_token'])
  credentialType: 'api_key' | 'pat' | 'access_token';

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  credentialId: string;

  @ApiPropertyOptional({ description: 'The subject (client, user or consumer id)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  subject?: string;

  @ApiProperty({ example: 'rate_limited' })
  @Matches(/^[a-z_]{1,64}$/)
  reason: string;

  @ApiProperty({ description: 'Requests refused' })
  @IsInt()
  @Min(1)
  @Max(USAGE_REPORT_LIMITS.maxCount)
  count: number;

  @ApiProperty()
  @IsDateString()
  firstAt: string;

  @ApiProperty()
  @IsDateString()
  lastAt: string;

  @ApiProperty({ type: [DeniedRequestSampleDto], description: `Up to ${USAGE_REPORT_LIMITS.maxSamples} of the refused requests` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(USAGE_REPORT_LIMITS.maxSamples)
  @ValidateNested({ each: true })
  @Type(() => DeniedRequestSampleDto)
  samples: DeniedRequestSampleDto[];
}

/** What a resource server reports, batched, about the credentials it saw (POST /api/usage, scope usage:write). */
export class UsageReportDto {
  @ApiProperty({ type: [CredentialUseDto] })
  @IsArray()
  @ArrayMaxSize(USAGE_REPORT_LIMITS.maxEntries)
  @ValidateNested({ each: true })
  @Type(() => CredentialUseDto)
  uses: CredentialUseDto[];

  @ApiProperty({ type: [CredentialDenialDto] })
  @IsArray()
  @ArrayMaxSize(USAGE_REPORT_LIMITS.maxEntries)
  @ValidateNested({ each: true })
  @Type(() => CredentialDenialDto)
  denials: CredentialDenialDto[];
}
