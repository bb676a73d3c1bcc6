import { ApiProperty } from '@nestjs/swagger';
import type { PasskeyEntity } from '../passkey.entity.js';

export class PasskeyDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'MacBook Touch ID' }) name: string;
  @ApiProperty({ description: 'Synced to the person’s other devices by their password manager or platform' })
  backedUp: boolean;
  @ApiProperty({ type: [String], example: ['internal', 'hybrid'] }) transports: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastUsedAt: string | null;

  static from(passkey: PasskeyEntity): PasskeyDto {
    return {
      id: passkey.id,
      name: passkey.name,
      backedUp: passkey.backedUp,
      transports: passkey.transports,
      createdAt: passkey.createdAt.toISOString(),
      lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedPasskeyDto {
  @ApiProperty({ type: PasskeyDto }) passkey: PasskeyDto;
  @ApiProperty({
    type: [String],
    required: false,
    description: 'With your first second factor only: your recovery codes, shown this once',
  })
  recoveryCodes?: string[];
}
