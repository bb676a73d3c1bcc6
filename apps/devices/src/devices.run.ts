import { createLogger, exitOnShutdownSignals } from '@tollgate/platform';
import { loadDevicesConfig } from './config/devices.config.js';
import { createDeviceApp } from './devices.app.js';

async function main(): Promise<void> {
  const config = loadDevicesConfig();
  const logger = createLogger({ name: `device:${config.role}`, level: config.logLevel }).child({
    clientId: config.device.clientId,
  });
  const app = createDeviceApp(config, { logger });
  exitOnShutdownSignals({ logger, steps: [{ name: 'disconnecting from the broker', run: () => app.stop() }] });
  const { healthUrl } = await app.start();
  logger.info(
    { healthUrl, brokers: config.device.brokerUrls, issuer: config.device.issuer },
    `${config.role} ${config.device.clientId} started; health at ${healthUrl}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
