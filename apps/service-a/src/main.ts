import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { describeDatabase } from '@tollgate/persistence';
import {
  ConfigError,
  createLogger,
  exitOnShutdownSignals,
  httpAppShutdownSteps,
  listenOrExplain,
} from '@tollgate/platform';
import { loadServiceAConfig } from './config/service-a.config.js';
import { createServiceA } from './service-a.app.js';

async function main(): Promise<void> {
  const config = loadServiceAConfig();
  const logger = createLogger({ name: 'service-a', level: config.logLevel });
  const app = await createServiceA(config, { logger });
  exitOnShutdownSignals({ logger, steps: httpAppShutdownSteps(app) });
  const url = await listenOrExplain(app, { port: config.port, host: config.host, portVariable: 'PORT' });
  const schedule =
    config.syncIntervalSeconds > 0 ? `every ${config.syncIntervalSeconds} s` : 'on demand only (POST /sync)';
  new Logger('service-a').log(
    `service-a listening on ${url} (OpenAPI at ${url}/docs); audience from ${config.serviceB.url} synced ${schedule}; authorization server ${config.auth.issuer}; ${describeDatabase(config.database)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
