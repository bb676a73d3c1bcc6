import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { ClientGrantEntity } from './client-grant.entity.js';
import { ClientSecretEntity } from './client-secret.entity.js';
import { ClientEntity } from './client.entity.js';
import { ClientsController } from './clients.controller.js';
import { ClientsDirectory } from './clients.directory.js';
import { ClientsRepository } from './clients.repository.js';
import { ClientsService } from './clients.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([ClientEntity, ClientSecretEntity, ClientGrantEntity]),
    AuditModule,
    ResourcesModule,
  ],
  controllers: [ClientsController],
  providers: [ClientsService, ClientsRepository, ClientsDirectory],
  exports: [ClientsService, ClientsRepository, ClientsDirectory],
})
export class ClientsModule {}
