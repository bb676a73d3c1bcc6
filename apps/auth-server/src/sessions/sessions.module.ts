import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { FactorsModule } from '../factors/factors.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { PendingSignInEntity } from './pending-sign-in.entity.js';
import { PendingSignInsRepository } from './pending-sign-ins.repository.js';
import { SessionController } from './session.controller.js';
import { SessionEntity } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { SignInStepsController } from './sign-in-steps.controller.js';
import { SignInStepsService } from './sign-in-steps.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([SessionEntity, PendingSignInEntity]),
    UsersModule,
    RolesModule,
    AuditModule,
    ThrottlingModule,
    FactorsModule,
  ],
  controllers: [SessionController, SignInStepsController],
  providers: [SessionsService, SessionsRepository, PendingSignInsRepository, SignInStepsService],
  exports: [SessionsService],
})
export class SessionsModule {}
