import { ApiProperty } from '@nestjs/swagger';

export class RetirementResultDto {
  @ApiProperty({ description: 'Retired: gone from the JWKS; every verifier refuses the tokens it signed' })
  retired: string;
  @ApiProperty({
    enum: ['current', 'next', 'previous'],
    description: 'The state it had (current: the next key was promoted at once)',
  })
  stateBefore: string;
  @ApiProperty({ description: 'Now signing' }) current: string;
  @ApiProperty({ description: 'Published, signs after the next rotation' }) next: string;
}
