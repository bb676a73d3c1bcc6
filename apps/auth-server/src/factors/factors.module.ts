import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { UsersModule } from '../users/users.module.js';
import { MyPasskeysController } from './my-passkeys.controller.js';
import { MyRecoveryCodesController } from './my-recovery-codes.controller.js';
import { MyTotpController } from './my-totp.controller.js';
import { PasskeyEntity } from './passkey.entity.js';
import { PasskeysRepository } from './passkeys.repository.js';
import { PasskeysService } from './passkeys.service.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { RecoveryCodesRepository } from './recovery-codes.repository.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { SignInFactorsService } from './sign-in-factors.service.js';
import { SignInPolicyController } from './sign-in-policy.controller.js';
import { SignInPolicyService } from './sign-in-policy.service.js';
import { TotpAuthenticatorEntity } from './totp-authenticator.entity.js';
import { TotpAuthenticatorsRepository } from './totp-authenticators.repository.js';
import { TotpService } from './totp.service.js';
import { UserSignInFactorsController } from './user-sign-in-factors.controller.js';
import { WebAuthnChallengeEntity } from './webauthn-challenge.entity.js';
import { WebAuthnChallengesRepository } from './webauthn-challenges.repository.js';
import { WebAuthnRelyingParty } from './webauthn-relying-party.js';

/** Console sign-in factors besides the password: passkeys, authenticator apps, recovery codes, and the sign-in policy. */
@Module({
  imports: [
    TypeOrmModule.forFeature([PasskeyEntity, TotpAuthenticatorEntity, RecoveryCodeEntity, WebAuthnChallengeEntity]),
    UsersModule,
    RolesModule,
    AuditModule,
    SettingsModule,
  ],
  controllers: [
    MyPasskeysController,
    MyTotpController,
    MyRecoveryCodesController,
    SignInPolicyController,
    UserSignInFactorsController,
  ],
  providers: [
    PasskeysService,
    PasskeysRepository,
    WebAuthnChallengesRepository,
    WebAuthnRelyingParty,
    TotpService,
    TotpAuthenticatorsRepository,
    RecoveryCodesService,
    RecoveryCodesRepository,
    SignInFactorsService,
    SignInPolicyService,
  ],
  exports: [PasskeysService, TotpService, RecoveryCodesService, SignInFactorsService, SignInPolicyService],
})
export class FactorsModule {}
