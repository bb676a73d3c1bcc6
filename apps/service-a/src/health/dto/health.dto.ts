import { ApiProperty } from '@nestjs/swagger';
import { SyncRunDto } from '../../audience/dto/sync-run.dto.js';
import { AuthenticationHealthDto } from './authentication-health.dto.js';

export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ description: 'A sync is running right now' })
  syncing: boolean;

  @ApiProperty({ type: SyncRunDto, nullable: true, description: 'The most recent sync, successful or not' })
  lastSync: SyncRunDto | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the last successful sync finished',
  })
  lastSuccessfulSyncAt: string | null;

  @ApiProperty({ type: () => AuthenticationHealthDto, description: 'How service-a verifies its callers' })
  authentication: AuthenticationHealthDto;
}
