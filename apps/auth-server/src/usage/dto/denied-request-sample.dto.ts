import { ApiProperty } from '@nestjs/swagger';
import { USAGE_REPORT_LIMITS } from '@tollgate/verifier';
import { IsString, Length, Matches } from 'class-validator';

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
