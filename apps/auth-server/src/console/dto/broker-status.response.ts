import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BrokerStatusDto {
  @ApiProperty({
    description: 'Whether IOT_BROKER_HEALTH_URL is set on the auth-server; when false, nothing else is reported',
  })
  configured: boolean;

  @ApiPropertyOptional({ example: 'ok', description: 'The broker’s own status (ok, closing)' })
  status?: string;

  @ApiPropertyOptional({ example: 2, description: 'MQTT sessions open on the broker' })
  connectedDevices?: number;

  @ApiPropertyOptional({
    example: 'connected',
    description: 'Whether the broker follows the auth-server’s revocation feed',
  })
  revocationFeed?: string;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description: 'Client ids of the connected devices; null unless the broker runs with HEALTH_SHOW_DEVICES=true',
  })
  devices?: string[] | null;

  @ApiPropertyOptional({ description: 'When the broker answered' })
  checkedAt?: string;
}
