import { type DynamicModule, type InjectionToken, type ModuleMetadata, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { CredentialVerifier } from '../credential.verifier.js';
import { type CredentialGuardOptions, createCredentialGuard, VERIFIER_GUARD_OPTIONS } from './credential.guard.js';
import { createStrategies } from './strategies.js';

let instances = 0;

export interface VerifierModuleOptions extends Pick<ModuleMetadata, 'imports' | 'providers'> {
  inject?: InjectionToken[];
  /** Builds the verifier this app trusts (remote JWKS and introspection, or local keys in the auth-server). */
  useFactory: (...dependencies: never[]) => CredentialVerifier | Promise<CredentialVerifier>;
  guard: CredentialGuardOptions | ((...dependencies: never[]) => CredentialGuardOptions);
}

/**
 * Protects every route of the app with the credential guard (APP_GUARD) and provides the
 * passport strategies. Routes opt out with `@Public()` and declare scopes with `@RequireScopes()`.
 */
@Module({})
export class VerifierModule {
  static forRoot(options: VerifierModuleOptions): DynamicModule {
    const inject = options.inject ?? [];
    const strategies = createStrategies(String(++instances));
    return {
      module: VerifierModule,
      global: true,
      imports: [PassportModule, ...(options.imports ?? [])],
      providers: [
        { provide: CredentialVerifier, inject, useFactory: options.useFactory },
        typeof options.guard === 'function'
          ? { provide: VERIFIER_GUARD_OPTIONS, inject, useFactory: options.guard }
          : { provide: VERIFIER_GUARD_OPTIONS, useValue: options.guard },
        ...strategies.providers,
        { provide: APP_GUARD, useClass: createCredentialGuard(strategies.names) },
        ...(options.providers ?? []),
      ],
      exports: [CredentialVerifier, ...(options.providers ?? [])],
    };
  }
}
