import { ApiProperty } from '@nestjs/swagger';
import { USAGE_REPORT_LIMITS } from '@tollgate/verifier';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { CredentialDenialDto } from './credential-denial.dto.js';
import { CredentialUseDto } from './credential-use.dto.js';

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
