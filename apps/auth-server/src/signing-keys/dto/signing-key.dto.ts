import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { SigningKeyEntity } from '../signing-key.entity.js';

export class SigningKeyDto {
  @ApiProperty() kid: string;
  @ApiProperty({ enum: ['ES256', 'EdDSA'] }) alg: string;
  @ApiProperty({ enum: ['next', 'current', 'previous', 'retired'] }) state: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() activatedAt: string | null;
  @ApiPropertyOptional() deactivatedAt: string | null;
  @ApiPropertyOptional() retiredAt: string | null;

  static from(entity: SigningKeyEntity): SigningKeyDto {
    return {
      kid: entity.kid,
      alg: entity.alg,
      state: entity.state,
      createdAt: entity.createdAt.toISOString(),
      activatedAt: entity.activatedAt?.toISOString() ?? null,
      deactivatedAt: entity.deactivatedAt?.toISOString() ?? null,
      retiredAt: entity.retiredAt?.toISOString() ?? null,
    };
  }
}

export class RotationResultDto {
  @ApiProperty({ description: 'Now signing' }) current: string;
  @ApiPropertyOptional({ description: 'A scheduled rotation: stopped signing; still published until its tokens expire' }) previous?: string;
  @ApiPropertyOptional({ description: 'An immediate rotation: stopped signing and retired; every verifier refuses its tokens' }) retired?: string;
  @ApiProperty({ description: 'Published, signs after the next rotation' }) next: string;
}

export class RetirementResultDto {
  @ApiProperty({ description: 'Retired: gone from the JWKS; every verifier refuses the tokens it signed' }) retired: string;
  @ApiProperty({ enum: ['current', 'next', 'previous'], description: 'The state it had (current: the next key was promoted at once)' }) stateBefore: string;
  @ApiProperty({ description: 'Now signing' }) current: string;
  @ApiProperty({ description: 'Published, signs after the next rotation' }) next: string;
}

export class RotateSigningKeysDto {
  @ApiPropertyOptional({
    description: 'The current key is compromised: rotate even though verifiers may not have fetched the next key yet, and retire the current key at once (its tokens are refused everywhere); default false',
  })
  @IsOptional()
  @IsBoolean()
  immediately?: boolean;
}
