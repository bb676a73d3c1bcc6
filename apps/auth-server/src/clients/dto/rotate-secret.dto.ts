import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'An operator-chosen new secret (32–512 characters) instead of a generated one' })
  @IsOptional()
  @IsString()
  @Length(32, 512)
  clientSecret?: string;

  @ApiPropertyOptional({
    description:
      'The client’s other secrets expire in this many minutes (0 = at once, max 30 days); left as they are when absent',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(43_200)
  expireCurrentInMinutes?: number;

  @ApiPropertyOptional({ description: 'Lifetime of the new secret in days (1–3650); no expiry when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}
