import { ApiProperty } from '@nestjs/swagger';

export class AuthenticationHealth {
  @ApiProperty({ enum: ['connected', 'disconnected', 'off'], description: 'The revocation feed from the auth-server' })
  revocationFeed: 'connected' | 'disconnected' | 'off';

  @ApiProperty({ required: false })
  lastRevocationEventId?: string;

  @ApiProperty({ description: 'False while the feed has been down too long: every PAT/API key is introspected afresh' })
  introspectionCacheTrusted: boolean;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ enum: ['ok'] })
  database: 'ok';

  @ApiProperty({ type: () => AuthenticationHealth, required: false })
  authentication?: AuthenticationHealth;
}
