import { ConfigError, createLogger } from '@tollgate/platform';
import { loadIotBrokerConfig } from './config/iot-broker.config.js';
import { createIotBroker } from './iot-broker.app.js';

async function main(): Promise<void> {
  const config = loadIotBrokerConfig();
  const logger = createLogger({ name: 'iot-broker', level: config.logLevel });
  const broker = await createIotBroker(config, { logger });
  const addresses = await broker.listen();
  logger.info({ ...addresses, issuer: config.issuer, resource: config.resourceIndicator }, `iot-broker listening on ${addresses.mqttUrl} and ${addresses.wsUrl}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      broker.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
