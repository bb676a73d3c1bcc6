import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class RotationResultDto {
  @ApiProperty({ description: 'Now signing' }) current: string;
  @ApiPropertyOptional({
    description: 'A scheduled rotation: stopped signing; still published until its tokens expire',
  })
  previous?: string;
  @ApiPropertyOptional({
    description: 'An immediate rotation: stopped signing and retired; every verifier refuses its tokens',
  })
  retired?: string;
  @ApiProperty({ description: 'Published, signs after the next rotation' }) next: string;
}
