import { ApiProperty } from '@nestjs/swagger';

export class AuthenticationHealthDto {
  @ApiProperty({ enum: ['connected', 'disconnected', 'off'], description: 'The revocation feed from the auth-server' })
  revocationFeed: 'connected' | 'disconnected' | 'off';

  @ApiProperty({ required: false })
  lastRevocationEventId?: string;
}
