import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class RollApiKeyDto {
  @ApiPropertyOptional({
    description: 'The old key keeps working this many minutes (0 = stops at once, max 30 days). Default 60.',
    default: 60,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(43_200)
  expireCurrentInMinutes?: number;
}
