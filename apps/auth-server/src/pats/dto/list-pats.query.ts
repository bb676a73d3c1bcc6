import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class ListPatsQueryDto {
  @ApiPropertyOptional({
    example: '7d',
    description: 'Only tokens that are not revoked and expire within this many days (1d–365d)',
  })
  @IsOptional()
  @Matches(/^(?:[1-9]|[1-9]\d|[12]\d\d|3[0-5]\d|36[0-5])d$/, {
    message: 'expiring must be a number of days between 1 and 365 followed by "d", e.g. 7d',
  })
  expiring?: string;
}
