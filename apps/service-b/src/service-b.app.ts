import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createLogger, type Logger, setupOpenApi } from '@tollgate/platform';
import type { ServiceBConfig } from './config/service-b.config.js';
import { ServiceBModule, type ServiceBOverrides } from './service-b.module.js';

/** The CRM API, assembled but not listening (tests listen on port 0, main.ts on the configured port). */
export async function createServiceB(config: ServiceBConfig, overrides: ServiceBOverrides & { logger?: Logger } = {}): Promise<NestFastifyApplication> {
  const logger = overrides.logger ?? createLogger({ name: 'service-b', level: config.logLevel });
  const app = await createHttpApp(ServiceBModule.forRoot(config, overrides), { logger, trustProxy: config.trustProxy });
  if (config.openApi) {
    setupOpenApi(app, {
      title: 'Tollgate CRM (service-b)',
      description: 'Contacts of the CRM. Accepts M2M access tokens, personal access tokens and API keys; reads need `contacts:read`, writes `contacts:write`.',
      apiKeyHeader: true,
    });
  }
  return app;
}
