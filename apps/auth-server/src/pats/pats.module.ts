import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { UsersModule } from '../users/users.module.js';
import { CurrentTokenController } from './current-token.controller.js';
import { MyTokensController } from './my-tokens.controller.js';
import { PatExpiryNotifier } from './pat-expiry.notifier.js';
import { PatLastUsedSink } from './pat-last-used.sink.js';
import { PatPolicyController } from './pat-policy.controller.js';
import { PatPolicyService } from './pat-policy.service.js';
import { PatEntity } from './pat.entity.js';
import { PatVerifier } from './pat.verifier.js';
import { PatsDirectory } from './pats.directory.js';
import { PatsRepository } from './pats.repository.js';
import { PatsService } from './pats.service.js';
import { UserTokensController } from './user-tokens.controller.js';

/** Personal access tokens: self-service, admin, lifetime policy, expiry warnings; registers the `pat` verifier and last-used sink. */
@Module({
  imports: [
    TypeOrmModule.forFeature([PatEntity]),
    UsersModule,
    RolesModule,
    ResourcesModule,
    OAuthModule,
    AuditModule,
    SettingsModule,
  ],
  controllers: [MyTokensController, UserTokensController, PatPolicyController, CurrentTokenController],
  providers: [
    PatsService,
    PatsRepository,
    PatPolicyService,
    PatVerifier,
    PatLastUsedSink,
    PatExpiryNotifier,
    PatsDirectory,
  ],
  exports: [PatsService, PatPolicyService, PatVerifier, PatLastUsedSink, PatExpiryNotifier, PatsDirectory],
})
export class PatsModule {}
