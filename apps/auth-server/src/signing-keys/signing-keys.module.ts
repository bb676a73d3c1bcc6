import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SigningKeysController } from './signing-keys.controller.js';
import { SigningKeysRepository } from './signing-keys.repository.js';
import { SigningKeysService } from './signing-keys.service.js';

@Module({
  imports: [AuditModule],
  controllers: [SigningKeysController],
  providers: [SigningKeysService, SigningKeysRepository],
  exports: [SigningKeysService],
})
export class SigningKeysModule {}
