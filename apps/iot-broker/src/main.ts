import { ConfigError, createLogger, exitOnShutdownSignals } from '@tollgate/platform';
import { loadIotBrokerConfig } from './config/iot-broker.config.js';
import { createIotBroker } from './iot-broker.app.js';

async function main(): Promise<void> {
  const config = loadIotBrokerConfig();
  const logger = createLogger({ name: 'iot-broker', level: config.logLevel });
  const broker = await createIotBroker(config, { logger });
  exitOnShutdownSignals({
    logger,
    steps: [{ name: 'MQTT sessions, listeners and the revocation feed', run: () => broker.close() }],
  });
  const addresses = await broker.listen();
  logger.info(
    { ...addresses, issuer: config.issuer, resource: config.resourceIndicator },
    `iot-broker listening on ${addresses.mqttUrl} and ${addresses.wsUrl}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
