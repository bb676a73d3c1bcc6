import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from '../common/audit-log.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { AuditPartitionsRepository } from './audit-partitions.repository.js';
import { AuditRetention } from './audit-retention.js';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditRepository,
    AuditPartitionsRepository,
    AuditRetention,
    { provide: AuditLog, useExisting: AuditService },
  ],
  exports: [AuditService, AuditLog, AuditRetention, AuditPartitionsRepository],
})
export class AuditModule {}
