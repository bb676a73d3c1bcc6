import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OPEN_DATABASE_MODULE_OPTIONS, openDatabase } from '@tollgate/persistence';
import { protectedResourceOf, ResourceServerVerification } from '@tollgate/verifier';
import { VerifierModule } from '@tollgate/verifier/nest';
import { AudienceModule } from './audience/audience.module.js';
import { AUDIENCE_SCOPES, SERVICE_A_CONFIG, type ServiceAConfig } from './config/service-a.config.js';
import { SERVICE_A_ENTITIES, SERVICE_A_MIGRATIONS, SERVICE_A_MIGRATIONS_TABLE } from './database/service-a.schema.js';
import { HealthModule } from './health/health.module.js';
import { SyncModule } from './sync/sync.module.js';

@Module({})
export class ServiceAModule {
  static forRoot(config: ServiceAConfig, verification: ResourceServerVerification): DynamicModule {
    return {
      module: ServiceAModule,
      global: true,
      imports: [
        VerifierModule.forRoot({
          providers: [{ provide: ResourceServerVerification, useValue: verification }],
          useFactory: () => verification.verifier,
          guard: {
            realm: 'tollgate',
            onDenied: (denied) => verification.recordDenial(denied),
            senderConstraint: verification.senderConstraint,
          },
          // RFC 9728: a client that knows only this API's URL finds where to get a token for it.
          protectedResource: protectedResourceOf(verification, {
            scopes: Object.values(AUDIENCE_SCOPES),
            name: 'Tollgate email marketing (service-a)',
          }),
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => OPEN_DATABASE_MODULE_OPTIONS,
          dataSourceFactory: () =>
            openDatabase({
              database: config.database,
              entities: SERVICE_A_ENTITIES,
              migrations: SERVICE_A_MIGRATIONS,
              migrationsTableName: SERVICE_A_MIGRATIONS_TABLE,
            }),
        }),
        AudienceModule,
        SyncModule,
        HealthModule,
      ],
      providers: [{ provide: SERVICE_A_CONFIG, useValue: config }],
      exports: [SERVICE_A_CONFIG],
    };
  }
}
