import {
  ConfigError,
  createLogger,
  exitOnShutdownSignals,
  Metrics,
  type MetricsListener,
  startMetricsListener,
} from '@tollgate/platform';
import { loadIotBrokerConfig } from './config/iot-broker.config.js';
import { createIotBroker } from './iot-broker.app.js';

async function main(): Promise<void> {
  const config = loadIotBrokerConfig();
  const logger = createLogger({ name: 'iot-broker', level: config.logLevel });
  const metrics = new Metrics('iot-broker');
  const broker = await createIotBroker(config, { logger, metrics });
  let metricsListener: MetricsListener | undefined;
  exitOnShutdownSignals({
    logger,
    steps: [
      { name: 'MQTT sessions, listeners and the revocation feed', run: () => broker.close() },
      { name: 'metrics listener', run: async () => metricsListener?.close() },
    ],
  });
  const addresses = await broker.listen();
  if (config.metrics) metricsListener = await startMetricsListener(metrics, config.metrics);
  logger.info(
    {
      ...addresses,
      issuer: config.issuer,
      resource: config.resourceIndicator,
      ...(metricsListener && { metrics: metricsListener.url }),
    },
    `iot-broker listening on ${addresses.mqttUrl} and ${addresses.wsUrl}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
