import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MANAGEMENT_API_SCOPES } from '@tollgate/credentials';
import { OPEN_DATABASE_MODULE_OPTIONS, openDatabase } from '@tollgate/persistence';
import { DpopNonces } from '@tollgate/dpop';
import { CLOCK, type Clock, Metrics, systemClock } from '@tollgate/platform';
import { hkdfSync } from 'node:crypto';
import { CredentialVerifier, invalidToken, JwtAccessTokenVerifier, ProtectedResource } from '@tollgate/verifier';
import { VerifierModule } from '@tollgate/verifier/nest';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { bootstrapAuthServer } from './bootstrap/bootstrap.js';
import { ClientsModule } from './clients/clients.module.js';
import { ConsoleModule } from './console/console.module.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from './config/auth-server.config.js';
import { AUTH_SERVER_ENTITIES, AUTH_SERVER_MIGRATIONS } from './database/auth-server.schema.js';
import { UnitOfWork } from './database/unit-of-work.js';
import { HealthController } from './health/health.controller.js';
import { HealthRepository } from './health/health.repository.js';
import { LeaksModule } from './leaks/leaks.module.js';
import { AccessTokenStatusService } from './oauth/access-token-status.service.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { OverviewModule } from './overview/overview.module.js';
import { PortalModule } from './portal/portal.module.js';
import { LocalOpaqueVerifier, OpaqueCredentialVerifiers } from './oauth/opaque-credential-verifiers.js';
import { PatsModule } from './pats/pats.module.js';
import { DeviceModule } from './device/device.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { RevocationsModule } from './revocations/revocations.module.js';
import { RolesModule } from './roles/roles.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SessionsService } from './sessions/sessions.service.js';
import { KeyEncryption, resolveKeyEncryptionSecret } from './signing-keys/key-encryption.js';
import { SigningKeysModule } from './signing-keys/signing-keys.module.js';
import { SigningKeysService } from './signing-keys/signing-keys.service.js';
import { UsageModule } from './usage/usage.module.js';
import { UsageService } from './usage/usage.service.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { UsersModule } from './users/users.module.js';

export interface AuthServerOverrides {
  clock?: Clock;
  /** Where its Prometheus series go (main.ts serves them at METRICS_PORT); a registry of its own by default. */
  metrics?: Metrics;
}

/** Configuration, clock, key encryption, DPoP nonces, metrics and transactions, available to every module. */
@Global()
@Module({})
class CoreModule {
  static forRoot(
    config: AuthServerConfig,
    clock: Clock,
    encryption: KeyEncryption,
    nonces: DpopNonces,
    metrics: Metrics,
  ): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AUTH_SERVER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: KeyEncryption, useValue: encryption },
        { provide: DpopNonces, useValue: nonces },
        { provide: Metrics, useValue: metrics },
        UnitOfWork,
      ],
      exports: [AUTH_SERVER_CONFIG, CLOCK, KeyEncryption, DpopNonces, Metrics, UnitOfWork],
    };
  }
}

/** The management API verifies its callers like any resource server, plus an authoritative database check. */
function managementApiVerifier(
  keys: SigningKeysService,
  status: AccessTokenStatusService,
  opaque: OpaqueCredentialVerifiers,
  usage: UsageService,
  config: AuthServerConfig,
  clock: Clock,
): CredentialVerifier {
  return new CredentialVerifier({
    opaque: new LocalOpaqueVerifier(opaque, config.managementApiIndicator, config.issuer, (use) =>
      usage.recordLocalUse(use),
    ),
    jwt: new JwtAccessTokenVerifier({
      issuer: config.issuer,
      audience: config.managementApiIndicator,
      keys: keys.keySet,
      now: () => clock.now(),
    }),
    checkAccessToken: async (claims) => {
      const reason = await status.revocationReason(claims);
      if (reason) throw invalidToken('The access token has been revoked', reason);
    },
    now: () => clock.now().getTime(),
  });
}

@Module({})
export class AuthServerModule {
  static forRoot(config: AuthServerConfig, overrides: AuthServerOverrides = {}): DynamicModule {
    const clock = overrides.clock ?? systemClock;
    const secret = resolveKeyEncryptionSecret(config.keyEncryptionSecret, config.dataDir);
    const encryption = new KeyEncryption(secret);
    // Every instance derives its DPoP nonces from the shared secret, so any of them accepts another's.
    const nonces = new DpopNonces({
      secret: Buffer.from(hkdfSync('sha256', secret, 'tollgate', 'dpop-nonce-v1', 32)),
      now: () => clock.now().getTime(),
    });
    return {
      module: AuthServerModule,
      imports: [
        CoreModule.forRoot(config, clock, encryption, nonces, overrides.metrics ?? new Metrics('auth-server')),
        TypeOrmModule.forRootAsync({
          useFactory: () => OPEN_DATABASE_MODULE_OPTIONS,
          dataSourceFactory: () =>
            openDatabase({
              database: config.database,
              entities: AUTH_SERVER_ENTITIES,
              migrations: AUTH_SERVER_MIGRATIONS,
              migrationsTableName: 'auth_server_migrations',
              afterMigrations: (dataSource) =>
                bootstrapAuthServer(new UnitOfWork(dataSource), config, encryption, clock.now()),
            }),
        }),
        VerifierModule.forRoot({
          imports: [SigningKeysModule, OAuthModule, SessionsModule, UsageModule],
          inject: [
            SigningKeysService,
            AccessTokenStatusService,
            OpaqueCredentialVerifiers,
            SessionsService,
            UsageService,
          ],
          useFactory: (
            keys: SigningKeysService,
            status: AccessTokenStatusService,
            opaque: OpaqueCredentialVerifiers,
            _sessions: SessionsService,
            usage: UsageService,
          ) => managementApiVerifier(keys, status, opaque, usage, config, clock),
          // Console requests carry the session cookie instead of a bearer credential (CSRF-checked in SessionsService).
          guard: (
            _keys: SigningKeysService,
            _status: AccessTokenStatusService,
            _opaque: OpaqueCredentialVerifiers,
            sessions: SessionsService,
          ) => ({
            realm: 'tollgate',
            fallback: (request) => sessions.authenticate(request),
          }),
          // RFC 9728: the management API is a protected resource too; its identifier is its URL.
          protectedResource: new ProtectedResource({
            resource: config.managementApiIndicator,
            authorizationServers: [config.issuer],
            scopes: MANAGEMENT_API_SCOPES,
            name: 'Tollgate management API',
          }),
        }),
        RevocationsModule,
        AuditModule,
        ResourcesModule,
        ClientsModule,
        SigningKeysModule,
        OAuthModule,
        ApiKeysModule,
        UsageModule,
        LeaksModule,
        RolesModule,
        UsersModule,
        SessionsModule,
        PatsModule,
        DeviceModule,
        ConsoleModule,
        OverviewModule,
        PortalModule,
        WebhooksModule,
      ],
      controllers: [HealthController],
      providers: [HealthRepository],
    };
  }
}
