import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_LIFETIME_DAYS_LIMIT } from './pat-fields.js';

export class PatPolicyDto {
  @ApiProperty({ example: 90, description: 'Longest lifetime of a new token, in days' })
  @IsInt()
  @Min(1)
  @Max(MAX_LIFETIME_DAYS_LIMIT)
  maxLifetimeDays: number;

  @ApiProperty({ example: false, description: 'Whether new tokens may have no expiry at all' })
  @IsBoolean()
  allowNoExpiry: boolean;

  @ApiPropertyOptional({
    example: 7,
    description:
      'Owners are warned (audit event pat.expiring, the PAT expiry webhook) this many days before a token expires, 1–90; unchanged when absent (default PAT_EXPIRY_WARNING_DAYS)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  expiryWarningDays?: number;
}
