import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class RotateSigningKeysDto {
  @ApiPropertyOptional({
    description:
      'The current key is compromised: rotate even though verifiers may not have fetched the next key yet, and retire the current key at once (its tokens are refused everywhere); default false',
  })
  @IsOptional()
  @IsBoolean()
  immediately?: boolean;
}
