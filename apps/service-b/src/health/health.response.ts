import { ApiProperty } from '@nestjs/swagger';

export class UsageReportsHealth {
  @ApiProperty({ description: 'Entries of usage and refusals waiting for the next report to the auth-server' })
  pending: number;

  @ApiProperty({
    description:
      'Requests whose usage or refusal was not reported: the queue was full, or the auth-server refused a report',
  })
  dropped: number;
}

export class AuthenticationHealth {
  @ApiProperty({ enum: ['connected', 'disconnected', 'off'], description: 'The revocation feed from the auth-server' })
  revocationFeed: 'connected' | 'disconnected' | 'off';

  @ApiProperty({ required: false })
  lastRevocationEventId?: string;

  @ApiProperty({ description: 'False while the feed has been down too long: every PAT/API key is introspected afresh' })
  introspectionCacheTrusted: boolean;

  @ApiProperty({ type: () => UsageReportsHealth, required: false })
  usageReports?: UsageReportsHealth;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ enum: ['ok'] })
  database: 'ok';

  @ApiProperty({ type: () => AuthenticationHealth, required: false })
  authentication?: AuthenticationHealth;
}
