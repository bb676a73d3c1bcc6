import { loadIotBrokerConfig } from '../../apps/iot-broker/src/config/iot-broker.config.js';
import { createIotBroker, type IotBroker, type IotBrokerAddresses } from '../../apps/iot-broker/src/iot-broker.app.js';
import { type LogLine, memoryLogger } from './memory-logger.js';
import type { TestIssuer } from './test-issuer.js';

export interface TestIotBroker extends IotBrokerAddresses {
  broker: IotBroker;
  /** Every line the broker logged, parsed. */
  logs: LogLine[];
  close(): Promise<void>;
}

/** The broker on ephemeral ports, trusting `issuer`, logging into memory. */
export async function startTestIotBroker(
  issuer: Pick<TestIssuer, 'issuer'>,
  env: Record<string, string> = {},
): Promise<TestIotBroker> {
  const config = loadIotBrokerConfig({
    AUTH_ISSUER: issuer.issuer,
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    CONNECTION_RATE_PER_SECOND: '1000',
    CONNECTION_BURST: '1000',
    ...env,
  });
  const { logger, logs } = memoryLogger('iot-broker');
  const broker = await createIotBroker(config, { logger });
  const addresses = await broker.listen();
  return { ...addresses, broker, logs, close: () => broker.close() };
}
