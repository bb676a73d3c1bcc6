import { Module } from '@nestjs/common';
import { AudienceModule } from '../audience/audience.module.js';
import { CrmModule } from '../crm/crm.module.js';
import { SyncController } from './sync.controller.js';
import { SyncScheduler } from './sync.scheduler.js';
import { SyncService } from './sync.service.js';

@Module({
  imports: [AudienceModule, CrmModule],
  controllers: [SyncController],
  providers: [SyncService, SyncScheduler],
  exports: [SyncService],
})
export class SyncModule {}
