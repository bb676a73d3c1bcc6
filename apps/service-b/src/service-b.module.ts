import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OPEN_DATABASE_MODULE_OPTIONS, openDatabase } from '@tollgate/persistence';
import { protectedResourceOf, ResourceServerVerification } from '@tollgate/verifier';
import { VerifierModule } from '@tollgate/verifier/nest';
import { SERVICE_B_CONFIG, type ServiceBConfig } from './config/service-b.config.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { SERVICE_B_ENTITIES, SERVICE_B_MIGRATIONS, SERVICE_B_MIGRATIONS_TABLE } from './database/service-b.schema.js';
import { HealthModule } from './health/health.module.js';

export interface ServiceBOverrides {
  /**
   * How credentials are verified; null serves every route without authentication. Only the
   * benchmark passes null, to measure the same route with and without verification; it is not
   * reachable from configuration.
   */
  verification: ResourceServerVerification | null;
}

function authentication(verification: ResourceServerVerification | null): DynamicModule[] {
  if (!verification) return [];
  return [
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
        scopes: ['contacts:read', 'contacts:write'],
        name: 'Tollgate CRM (service-b)',
      }),
    }),
  ];
}

@Module({})
export class ServiceBModule {
  static forRoot(config: ServiceBConfig, overrides: ServiceBOverrides): DynamicModule {
    return {
      module: ServiceBModule,
      imports: [
        ...authentication(overrides.verification),
        TypeOrmModule.forRootAsync({
          // openDatabase waits for a database that is still starting (compose, Kubernetes), not for a wrong schema or password.
          useFactory: () => OPEN_DATABASE_MODULE_OPTIONS,
          dataSourceFactory: () =>
            openDatabase({
              database: config.database,
              entities: SERVICE_B_ENTITIES,
              migrations: SERVICE_B_MIGRATIONS,
              migrationsTableName: SERVICE_B_MIGRATIONS_TABLE,
            }),
        }),
        ContactsModule,
        HealthModule,
      ],
      providers: [{ provide: SERVICE_B_CONFIG, useValue: config }],
    };
  }
}
