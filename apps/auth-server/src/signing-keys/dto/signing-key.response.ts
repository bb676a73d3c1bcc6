import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SigningKeyEntity } from '../signing-key.entity.js';

export class SigningKeyDto {
  @ApiProperty() kid: string;
  @ApiProperty({ enum: ['ES256', 'EdDSA'] }) alg: string;
  @ApiProperty({ enum: ['next', 'current', 'previous', 'retired'] }) state: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) activatedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) deactivatedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) retiredAt: string | null;

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
