import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConsumerMemberEntity } from './consumer-member.entity.js';
import { ConsumerPortalEntity } from './consumer-portal.entity.js';
import { ConsumerPortalController } from './consumer-portal.controller.js';
import { DeveloperPortalController } from './developer-portal.controller.js';
import { PortalRepository } from './portal.repository.js';
import { PortalService } from './portal.service.js';

/** The developer portal: API consumers opened to the people a provider invites, within its limits. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ConsumerPortalEntity, ConsumerMemberEntity]),
    ApiKeysModule,
    ResourcesModule,
    UsersModule,
    AuditModule,
  ],
  controllers: [ConsumerPortalController, DeveloperPortalController],
  providers: [PortalService, PortalRepository],
})
export class PortalModule {}
