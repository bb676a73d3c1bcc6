import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AudienceMemberEntity } from './audience-member.entity.js';
import { AudienceController } from './audience.controller.js';
import { AudienceRepository } from './audience.repository.js';
import { SyncRunEntity } from './sync-run.entity.js';
import { SyncRunRepository } from './sync-run.repository.js';

/** The stored audience and the record of the syncs that produced it. */
@Module({
  imports: [TypeOrmModule.forFeature([AudienceMemberEntity, SyncRunEntity])],
  controllers: [AudienceController],
  providers: [AudienceRepository, SyncRunRepository],
  exports: [AudienceRepository, SyncRunRepository],
})
export class AudienceModule {}
