import { Logger } from '@nestjs/common';
import { describeDatabase } from '@tollgate/persistence';
import {
  ConfigError,
  createLogger,
  exitOnShutdownSignals,
  httpAppShutdownSteps,
  listenOrExplain,
} from '@tollgate/platform';
import { loadServiceBConfig } from './config/service-b.config.js';
import { createServiceB } from './service-b.app.js';

async function main(): Promise<void> {
  const config = loadServiceBConfig();
  const logger = createLogger({ name: 'service-b', level: config.logLevel });
  const app = await createServiceB(config, { logger });
  exitOnShutdownSignals({ logger, steps: httpAppShutdownSteps(app) });
  try {
    const url = await listenOrExplain(app, { port: config.port, host: config.host, portVariable: 'PORT' });
    new Logger('service-b').log(
      `CRM API listening on ${url} (${describeDatabase(config.database)}; audience ${config.auth.resourceIndicator})`,
    );
  } catch (error) {
    await app.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
