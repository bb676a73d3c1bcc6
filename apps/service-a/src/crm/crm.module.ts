import { Module } from '@nestjs/common';
import { ClientCredentialsTokenProvider } from '@tollgate/m2m-client';
import { SERVICE_A_CONFIG, type ServiceAConfig } from '../config/service-a.config.js';
import { CrmClient } from './crm.client.js';

/** The connection to service-b: a client-credentials token provider for its audience and scope, and the contacts client. */
@Module({
  providers: [
    {
      provide: ClientCredentialsTokenProvider,
      inject: [SERVICE_A_CONFIG],
      useFactory: ({ auth, serviceB }: ServiceAConfig) =>
        new ClientCredentialsTokenProvider({
          issuer: auth.issuer,
          internalUrl: auth.internalUrl,
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          authMethod: auth.authMethod,
          resource: serviceB.resource,
          scope: serviceB.scope,
          timeoutMs: serviceB.timeoutMs,
          ...(serviceB.tokenBinding === 'dpop' && { dpop: true as const }),
        }),
    },
    CrmClient,
  ],
  exports: [CrmClient],
})
export class CrmModule {}
