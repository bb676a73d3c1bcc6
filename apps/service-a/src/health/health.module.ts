import { Module } from '@nestjs/common';
import { AudienceModule } from '../audience/audience.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [AudienceModule, SyncModule],
  controllers: [HealthController],
})
export class HealthModule {}
