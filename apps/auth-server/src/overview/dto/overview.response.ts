import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuditEventDto } from '../../audit/dto/audit-event.response.js';
import { BrokerStatusDto } from '../../console/dto/broker-status.response.js';

export class EnabledCountsDto {
  @ApiProperty() enabled: number;
  @ApiProperty() disabled: number;
}

export class ClientCountsDto {
  @ApiProperty({ type: EnabledCountsDto, description: 'Server-to-server applications' }) service: EnabledCountsDto;
  @ApiProperty({ type: EnabledCountsDto, description: 'Devices (MQTT)' }) device: EnabledCountsDto;
}

export class StateCountsDto {
  @ApiProperty() active: number;
  @ApiProperty({ description: 'Past their expiry, not revoked' }) expired: number;
  @ApiProperty() revoked: number;
}

export class UserCountsDto {
  @ApiProperty() people: number;
  @ApiProperty() serviceAccounts: number;
  @ApiProperty({ description: 'Of both kinds' }) disabled: number;
}

export class CredentialCountsDto {
  @ApiProperty({ type: ClientCountsDto }) clients: ClientCountsDto;
  @ApiProperty({ type: StateCountsDto }) apiKeys: StateCountsDto;
  @ApiProperty({ type: StateCountsDto }) personalAccessTokens: StateCountsDto;
  @ApiProperty({ type: UserCountsDto }) users: UserCountsDto;
}

export class OwnerDto {
  @ApiProperty({ description: 'The API consumer (keys) or user (PATs)' }) id: string;
  @ApiProperty({ description: 'Its name (consumers) or email (users)' }) name: string;
}

export class ExpiringCredentialDto {
  @ApiProperty({ enum: ['api_key', 'pat'] }) kind: 'api_key' | 'pat';
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'tgk_live_AbCd', description: 'The visible start of the credential (never more)' })
  displayPrefix: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: OwnerDto }) owner: OwnerDto;
}

export class RefusalsDto {
  @ApiProperty({ description: 'Events with outcome failure or denied in the last 24 hours' }) last24Hours: number;
  @ApiProperty({ type: [AuditEventDto], description: 'The newest of them, newest first' }) newest: AuditEventDto[];
}

export class RevocationFeedStatusDto {
  @ApiProperty({
    description:
      'Revocation-feed streams open on this auth-server instance (resource servers and brokers following it)',
  })
  subscribersHere: number;
}

export class OverviewDto {
  @ApiProperty() generatedAt: string;
  @ApiProperty({ type: CredentialCountsDto }) counts: CredentialCountsDto;
  @ApiProperty({
    type: [ExpiringCredentialDto],
    description: 'Live API keys and PATs expiring within 7 days, soonest first (at most 10 of each)',
  })
  expiringSoon: ExpiringCredentialDto[];
  @ApiProperty({ type: RefusalsDto }) refusals: RefusalsDto;
  @ApiProperty({ type: RevocationFeedStatusDto }) revocationFeed: RevocationFeedStatusDto;
  @ApiPropertyOptional({
    type: BrokerStatusDto,
    description: 'The IoT broker as it reports itself; status "unreachable" when it did not answer',
  })
  broker: BrokerStatusDto;
}
