import { type Environment, loadEnv } from '@tollgate/platform';
import { join, resolve } from 'node:path';
import { DEMO_CLIENT_IDS, type DemoClientIds } from './demo.config.js';
import { StackDemoEnv } from './demo.env.js';
import type { StoryConfig } from './story.js';

/**
 * Against docker-compose the story brings its own thermostat and hub (started in the demo's
 * container, a fast room as in `npm run demo`), so it never fights the stack's thermostat-1 and
 * hub-1 over their MQTT sessions, nor disables them.
 */
export const STACK_DEVICE_IDS = { thermostat: 'thermostat-demo', hub: 'hub-demo' } as const;

export interface StackDemoConfig extends StoryConfig {
  logLevel: string;
  logDir: string;
  admin: { clientId: string; clientSecret: string };
  serviceA: { id: string; secret: string };
  consoleAdmin: { email: string; password: string };
  ids: DemoClientIds;
  ca: { certificateFile: string; privateKeyFile: string };
}

/** Reads the stack demo's environment; throws one ConfigError naming every bad variable. */
export function loadStackDemoConfig(env: Environment = process.env): StackDemoConfig {
  const values = loadEnv(StackDemoEnv, env);
  const local = (port: number) => `http://127.0.0.1:${port}/health`;
  const broker = new URL(values.BROKER_HEALTH_URL);
  const dataDir = resolve(values.DEMO_DATA_DIR);
  return {
    urls: {
      issuer: values.AUTH_ISSUER,
      authServer: values.AUTH_INTERNAL_URL ?? values.AUTH_ISSUER,
      serviceB: values.SERVICE_B_URL.replace(/\/+$/, ''),
      serviceA: values.SERVICE_A_URL.replace(/\/+$/, ''),
      mqtt: values.BROKER_URL,
      mqttWs: `ws://${broker.host}/mqtt`,
      mqtts: values.BROKER_TLS_URL,
      authServerMtls: values.AUTH_MTLS_URL.replace(/\/+$/, ''),
      brokerHealth: values.BROKER_HEALTH_URL,
      // The devices the story starts run beside it, whatever network the stack is on.
      thermostatHealth: local(values.THERMOSTAT_HEALTH_PORT),
      hubHealth: local(values.HUB_HEALTH_PORT),
      newThermostatHealth: local(values.NEW_THERMOSTAT_HEALTH_PORT),
    },
    dataDir,
    logDir: join(dataDir, 'logs'),
    logLevel: values.DEMO_LOG_LEVEL,
    admin: { clientId: values.BOOTSTRAP_ADMIN_CLIENT_ID, clientSecret: values.BOOTSTRAP_ADMIN_CLIENT_SECRET },
    serviceA: { id: values.SERVICE_A_CLIENT_ID, secret: values.SERVICE_A_CLIENT_SECRET },
    consoleAdmin: { email: values.CONSOLE_ADMIN_EMAIL, password: values.CONSOLE_ADMIN_PASSWORD },
    ids: { ...DEMO_CLIENT_IDS, serviceA: values.SERVICE_A_CLIENT_ID, ...STACK_DEVICE_IDS },
    ca: { certificateFile: values.TLS_CA_CERT_FILE, privateKeyFile: values.TLS_CA_KEY_FILE },
  };
}
