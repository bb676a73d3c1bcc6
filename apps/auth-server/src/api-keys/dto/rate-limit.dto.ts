import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class RateLimitDto {
  @ApiProperty({ example: 100, description: 'Requests allowed per window (1–100000)' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  requests: number;

  @ApiProperty({ example: 60, description: 'Window in seconds (1–86400)' })
  @IsInt()
  @Min(1)
  @Max(86_400)
  perSeconds: number;
}
