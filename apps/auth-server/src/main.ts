import {
  ConfigError,
  createLogger,
  exitOnShutdownSignals,
  httpAppShutdownSteps,
  listenOrExplain,
} from '@tollgate/platform';
import { describeDatabase } from '@tollgate/persistence';
import { createAuthServer } from './auth-server.app.js';
import { loadAuthServerConfig } from './config/auth-server.config.js';

async function main(): Promise<void> {
  const config = loadAuthServerConfig();
  const logger = createLogger({ name: 'auth-server', level: config.logLevel });
  const app = await createAuthServer(config, { logger });
  exitOnShutdownSignals({ logger, steps: httpAppShutdownSteps(app) });
  const url = await listenOrExplain(app, { port: config.port, host: config.host, portVariable: 'PORT' });
  logger.info(
    { url, issuer: config.issuer, database: describeDatabase(config.database) },
    `auth-server listening on ${url}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
