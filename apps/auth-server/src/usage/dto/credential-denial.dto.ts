import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { USAGE_REPORT_LIMITS } from '@tollgate/verifier';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { DeniedRequestSampleDto } from './denied-request-sample.dto.js';

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

  @ApiProperty({
    type: [DeniedRequestSampleDto],
    description: `Up to ${USAGE_REPORT_LIMITS.maxSamples} of the refused requests`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(USAGE_REPORT_LIMITS.maxSamples)
  @ValidateNested({ each: true })
  @Type(() => DeniedRequestSampleDto)
  samples: DeniedRequestSampleDto[];
}
