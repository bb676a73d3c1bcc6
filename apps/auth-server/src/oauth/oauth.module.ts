import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { SigningKeysModule } from '../signing-keys/signing-keys.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { AccessTokenStatusService } from './access-token-status.service.js';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientAuthenticationService } from './client-authentication.service.js';
import { ClientCredentialsGrant } from './client-credentials.grant.js';
import { DpopReplays } from './dpop/dpop-replays.js';
import { TokenEndpointMetrics } from './token-endpoint-metrics.js';
import { TokenEndpointDpop } from './dpop/token-endpoint-dpop.js';
import { MtlsEndpoint } from './mtls/mtls-endpoint.js';
import { LastUsedSinkRegistry } from './credential-usage.js';
import { ExchangedTokenEntity } from './exchanged-token.entity.js';
import { ExchangedTokensRepository } from './exchanged-tokens.repository.js';
import { ExtensionGrants } from './extension-grants.js';
import { ExchangedTokensService } from './exchanged-tokens.service.js';
import { MetadataController } from './metadata.controller.js';
import { OpaqueCredentialVerifiers } from './opaque-credential-verifiers.js';
import { RevokedTokenEntity } from './revoked-token.entity.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';
import { TokenIntrospectionController } from './token-introspection.controller.js';
import { TokenIntrospectionService } from './token-introspection.service.js';
import { TokenRevocationController } from './token-revocation.controller.js';
import { TokenRevocationService } from './token-revocation.service.js';
import { TokenExchangeGrant } from './token-exchange.grant.js';
import { TokenController } from './token.controller.js';
import { UsedClientAssertionEntity } from './used-client-assertion.entity.js';
import { UsedClientAssertionsRepository } from './used-client-assertions.repository.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([RevokedTokenEntity, UsedClientAssertionEntity, ExchangedTokenEntity]),
    AuditModule,
    ClientsModule,
    ResourcesModule,
    SigningKeysModule,
    ThrottlingModule,
  ],
  controllers: [TokenController, TokenIntrospectionController, TokenRevocationController, MetadataController],
  providers: [
    RevokedTokensRepository,
    ExchangedTokensRepository,
    UsedClientAssertionsRepository,
    OpaqueCredentialVerifiers,
    LastUsedSinkRegistry,
    ExtensionGrants,
    TokenExchangeGrant,
    ExchangedTokensService,
    AccessTokenIssuer,
    AccessTokenStatusService,
    ClientAssertionVerifier,
    ClientAuthenticationService,
    ClientCredentialsGrant,
    DpopReplays,
    TokenEndpointDpop,
    TokenEndpointMetrics,
    MtlsEndpoint,
    TokenIntrospectionService,
    TokenRevocationService,
  ],
  exports: [
    MtlsEndpoint,
    OpaqueCredentialVerifiers,
    ExtensionGrants,
    LastUsedSinkRegistry,
    ExchangedTokensService,
    AccessTokenIssuer,
    AccessTokenStatusService,
    ClientAuthenticationService,
    TokenRevocationService,
  ],
})
export class OAuthModule {}
