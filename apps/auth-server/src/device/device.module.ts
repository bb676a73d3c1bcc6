import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { PatsModule } from '../pats/pats.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { DeviceApprovalController } from './device-approval.controller.js';
import { DeviceAuthorizationController } from './device-authorization.controller.js';
import { DeviceAuthorizationEntity } from './device-authorization.entity.js';
import { DeviceAuthorizationService } from './device-authorization.service.js';
import { DeviceAuthorizationsRepository } from './device-authorizations.repository.js';
import { DeviceCodeGrant } from './device-code.grant.js';
import { DevicePairingService } from './device-pairing.service.js';

/** The device authorization grant (RFC 8628): the CLI's sign-in, approved by a person in the console. */
@Module({
  imports: [
    TypeOrmModule.forFeature([DeviceAuthorizationEntity]),
    OAuthModule,
    ClientsModule,
    PatsModule,
    UsersModule,
    RolesModule,
    ResourcesModule,
    ThrottlingModule,
    AuditModule,
  ],
  controllers: [DeviceAuthorizationController, DeviceApprovalController],
  providers: [DeviceAuthorizationService, DeviceAuthorizationsRepository, DeviceCodeGrant, DevicePairingService],
})
export class DeviceModule {}
