import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createLogger, type Logger, setupOpenApi } from '@tollgate/platform';
import type { ServiceAConfig } from './config/service-a.config.js';
import { ServiceAModule } from './service-a.module.js';

/** service-a, the email-marketing service, ready to listen (not listening yet). */
export async function createServiceA(config: ServiceAConfig, options: { logger?: Logger } = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ name: 'service-a', level: config.logLevel });
  const app = await createHttpApp(ServiceAModule.forRoot(config), { logger, trustProxy: config.trustProxy });
  setupOpenApi(app, {
    title: 'Tollgate service-a',
    description: 'Email-marketing service: syncs its audience from the CRM (service-b) with an M2M client-credentials token.',
  });
  return app;
}
