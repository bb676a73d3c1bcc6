import { type DynamicModule, type InjectionToken, type ModuleMetadata, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { CredentialVerifier } from '../credential.verifier.js';
import { type CredentialGuardOptions, createCredentialGuard, VERIFIER_GUARD_OPTIONS } from './credential.guard.js';
import type { ProtectedResource } from '../http/protected-resource-metadata.js';
import { protectedResourceMetadataController } from './protected-resource-metadata.controller.js';
import { createStrategies } from './strategies.js';

let instances = 0;

export interface VerifierModuleOptions extends Pick<ModuleMetadata, 'imports' | 'providers'> {
  inject?: InjectionToken[];
  /** Builds the verifier this app trusts (remote JWKS and introspection, or local keys in the auth-server). */
  useFactory: (...dependencies: never[]) => CredentialVerifier | Promise<CredentialVerifier>;
  guard: CredentialGuardOptions | ((...dependencies: never[]) => CredentialGuardOptions);
  /** RFC 9728: serve this resource's metadata and name it in every challenge. */
  protectedResource?: ProtectedResource;
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
    const { guard, protectedResource } = options;
    const withResource = (guardOptions: CredentialGuardOptions): CredentialGuardOptions =>
      protectedResource ? { ...guardOptions, protectedResource } : guardOptions;
    return {
      module: VerifierModule,
      global: true,
      imports: [PassportModule, ...(options.imports ?? [])],
      controllers: protectedResource ? [protectedResourceMetadataController(protectedResource)] : [],
      providers: [
        { provide: CredentialVerifier, inject, useFactory: options.useFactory },
        typeof guard === 'function'
          ? { provide: VERIFIER_GUARD_OPTIONS, inject, useFactory: (...deps: never[]) => withResource(guard(...deps)) }
          : { provide: VERIFIER_GUARD_OPTIONS, useValue: withResource(guard) },
        ...strategies.providers,
        { provide: APP_GUARD, useClass: createCredentialGuard(strategies.names) },
        ...(options.providers ?? []),
      ],
      exports: [CredentialVerifier, ...(options.providers ?? [])],
    };
  }
}
