import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PatActorDto } from './pat-actor.response.js';

export type PatStatus = 'active' | 'expired' | 'revoked';

export class PatDto {
  @ApiProperty() id: string;
  @ApiProperty() userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: [String], description: 'Resource indicators the token is restricted to; empty: not restricted' })
  resources: string[];
  @ApiProperty({ example: 'tgp_Ab3x', description: 'First characters of the token, to recognise it' })
  displayPrefix: string;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: PatStatus;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: PatActorDto, description: 'The owner, or the admin who created a service account’s token' })
  createdBy: PatActorDto;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'null: never expires' })
  expiresAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) lastUsedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastUsedAddress: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) revokedAt: string | null;
}
