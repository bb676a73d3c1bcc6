import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

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

  @ApiProperty({ example: '2xx' })
  @Matches(/^[1-5]xx$/)
  statusClass: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  count: number;

  @ApiProperty()
  @IsDateString()
  lastUsedAt: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 64)
  lastUsedAddress?: string;
}

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

  @ApiProperty({ example: 'insufficient_scope' })
  @Matches(/^[a-z_]{1,64}$/)
  reason: string;

  @ApiProperty()
  @IsString()
  @Length(1, 64)
  address: string;

  @ApiProperty()
  @IsDateString()
  at: string;

  @ApiProperty()
  @Matches(/^[A-Z]{3,7}$/)
  method: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  path: string;
}

/** What a resource server reports, batched, about the credentials it saw (POST /api/usage, scope usage:write). */
export class UsageReportDto {
  @ApiProperty({ type: [CredentialUseDto] })
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => CredentialUseDto)
  uses: CredentialUseDto[];

  @ApiProperty({ type: [CredentialDenialDto] })
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => CredentialDenialDto)
  denials: CredentialDenialDto[];
}
