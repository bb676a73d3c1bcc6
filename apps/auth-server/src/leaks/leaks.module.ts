import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { LeaksController } from './leaks.controller.js';
import { LeaksService } from './leaks.service.js';

@Module({
  imports: [AuditModule, ClientsModule, OAuthModule],
  controllers: [LeaksController],
  providers: [LeaksService],
  exports: [LeaksService],
})
export class LeaksModule {}
