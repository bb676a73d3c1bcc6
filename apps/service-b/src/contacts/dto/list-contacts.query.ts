import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
// Deep OFFSET pages cost a scan of every skipped row; past this, filter with `q` instead.
export const MAX_OFFSET = 1_000_000;

export class ListContactsQuery {
  @ApiProperty({ required: false, type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 20;

  @ApiProperty({ required: false, type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset: number = 0;

  @ApiProperty({ required: false, maxLength: 100, description: 'Case-insensitive substring of the name or the email.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
