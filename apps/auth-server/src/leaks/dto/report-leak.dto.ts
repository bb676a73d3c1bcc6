import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

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
