import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { ConsoleModule } from '../console/console.module.js';
import { PatsModule } from '../pats/pats.module.js';
import { UsersModule } from '../users/users.module.js';
import { OverviewController } from './overview.controller.js';
import { OverviewService } from './overview.service.js';

/** GET /api/overview and GET /api/search: the console's overview page and search box, for admins. */
@Module({
  imports: [ClientsModule, ApiKeysModule, PatsModule, UsersModule, AuditModule, ConsoleModule],
  controllers: [OverviewController],
  providers: [OverviewService],
})
export class OverviewModule {}
