import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { USAGE_REPORT_LIMITS } from '@tollgate/verifier';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

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

  @ApiProperty({
    example: '2xx',
    description: 'Refusals by the credential’s own rate limit (429) or address allowlist (403) count as 4xx',
  })
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
