import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
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
}
