import { ConfigError, type Environment, loadEnv } from '@tollgate/platform';
import { join, resolve } from 'node:path';
import { SEED_SECRET_NAMES } from '../seed/seed.config.js';
import { DemoEnv } from './demo.env.js';

export type PortName =
  | 'authServer'
  | 'authServerMtls'
  | 'serviceB'
  | 'serviceA'
  | 'mqtt'
  | 'mqttWs'
  | 'mqtts'
  | 'thermostatHealth'
  | 'hubHealth'
  | 'newThermostatHealth';

/** The demo variable that sets each port (named in every "port in use" message). */
export const PORT_VARIABLES: Record<PortName, keyof DemoEnv> = {
  authServer: 'AUTH_SERVER_PORT',
  serviceB: 'SERVICE_B_PORT',
  serviceA: 'SERVICE_A_PORT',
  mqtt: 'MQTT_PORT',
  mqttWs: 'MQTT_WS_PORT',
  mqtts: 'MQTTS_PORT',
  authServerMtls: 'MTLS_PORT',
  thermostatHealth: 'THERMOSTAT_HEALTH_PORT',
  hubHealth: 'HUB_HEALTH_PORT',
  newThermostatHealth: 'NEW_THERMOSTAT_HEALTH_PORT',
};

/** Secrets the demo needs; the first six may come from the environment, all are kept in secrets.json. */
export const DEMO_SECRET_NAMES = [
  ...SEED_SECRET_NAMES,
  'DASHBOARD_CLIENT_SECRET',
  'CRM_SAMPLE_DATA_CLIENT_SECRET',
  'SPARE_THERMOSTAT_CLIENT_SECRET',
  'CAMPAIGN_TOOL_CLIENT_SECRET',
  'DEMO_USER_PASSWORD',
  'DEMO_ADMIN_PASSWORD',
] as const;

/** The demo's person: signs in to the console and makes personal access tokens. */
export const DEMO_USER = 'ada@tollgate.demo';

/** The demo's administrator (role `admin`): approves the new thermostat's pairing in the console. */
export const DEMO_ADMIN = 'grace@tollgate.demo';

export type DemoSecretName = (typeof DEMO_SECRET_NAMES)[number];

/** The secrets the stories themselves use (wherever the system runs). */
export const STORY_SECRET_NAMES = [
  'SERVICE_A_CLIENT_SECRET',
  'THERMOSTAT_CLIENT_SECRET',
  'HUB_CLIENT_SECRET',
  'DASHBOARD_CLIENT_SECRET',
  'CRM_SAMPLE_DATA_CLIENT_SECRET',
  'SPARE_THERMOSTAT_CLIENT_SECRET',
  'CAMPAIGN_TOOL_CLIENT_SECRET',
  'DEMO_USER_PASSWORD',
] as const satisfies readonly DemoSecretName[];

export type StorySecretName = (typeof STORY_SECRET_NAMES)[number];

/** Client ids of the story (the seed's defaults) and of the demo's own helpers. */
export const DEMO_CLIENT_IDS = {
  serviceA: 'service-a',
  serviceB: 'service-b',
  iotBroker: 'iot-broker',
  thermostat: 'thermostat-1',
  hub: 'hub-1',
  /** Watches every device (devices:read:*): the demo's eyes on the broker. */
  dashboard: 'dashboard',
  /** Writes the CRM's sample contacts (contacts:write). */
  crmSampleData: 'crm-sample-data',
  /** A second thermostat, to show that a device token commands nothing but itself. */
  spareThermostat: 'thermostat-2',
  /** The marketing team's campaign tool: reads and syncs service-a's audience (audience:read audience:sync). */
  campaignTool: 'campaign-tool',
  /** A new thermostat with no credential: it pairs itself during the demo (device grant + private_key_jwt). */
  newThermostat: 'thermostat-3',
} as const;

/** The client ids a run of the story uses (against docker-compose, its own thermostat and hub). */
export type DemoClientIds = { readonly [Role in keyof typeof DEMO_CLIENT_IDS]: string };

export const CRM_RESOURCE = 'https://crm.tollgate.local';
export const IOT_RESOURCE = 'https://iot.tollgate.local';
export const MARKETING_RESOURCE = 'https://marketing.tollgate.local';

export interface DemoUrls {
  /** The public issuer URL: the `iss` of tokens, what a person's browser opens. */
  issuer: string;
  /** Where the story reaches the auth-server: the issuer, or its URL inside a container network. */
  authServer: string;
  serviceB: string;
  serviceA: string;
  mqtt: string;
  mqttWs: string;
  /** MQTT over TLS, where devices present their certificates (RFC 8705). */
  mqtts: string;
  /** The auth-server's mTLS endpoint (its `mtls_endpoint_aliases` base). */
  authServerMtls: string;
  brokerHealth: string;
  thermostatHealth: string;
  hubHealth: string;
  newThermostatHealth: string;
}

export interface DemoConfig {
  /** Run the story once and exit (0 only if every step passed). */
  once: boolean;
  host: string;
  ports: Record<PortName, number>;
  urls: DemoUrls;
  dataDir: string;
  logDir: string;
  secretsFile: string;
  logLevel: string;
  adminClientId: string;
  /** Secrets given in the environment; they win over secrets.json and are never written to it. */
  secretOverrides: Partial<Record<DemoSecretName, string>>;
}

export const DEMO_USAGE = 'usage: npm run demo [-- --once]';

/** Reads the demo's arguments and environment; throws one ConfigError naming every problem. */
export function loadDemoConfig(argv: string[], env: Environment = process.env): DemoConfig {
  const problems: string[] = [];
  const unknown = argv.filter((arg) => arg !== '--once');
  if (unknown.length > 0)
    problems.push(`unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(' ')} (${DEMO_USAGE})`);
  let values: DemoEnv | undefined;
  try {
    values = loadEnv(DemoEnv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!values || problems.length > 0) throw new ConfigError(problems);

  const ports = Object.fromEntries(
    Object.entries(PORT_VARIABLES).map(([name, variable]) => [name, values[variable] as number]),
  ) as Record<PortName, number>;
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(ports))
    byPort.set(port, [...(byPort.get(port) ?? []), PORT_VARIABLES[name as PortName]]);
  const clashes = [...byPort.entries()].filter(([, variables]) => variables.length > 1);
  if (clashes.length > 0)
    throw new ConfigError(
      clashes.map(([port, variables]) => `${variables.join(' and ')}: each service needs its own port (all ${port})`),
    );

  const host = '127.0.0.1';
  const dataDir = resolve(values.DEMO_DATA_DIR);
  const secretOverrides: Partial<Record<DemoSecretName, string>> = {};
  for (const name of DEMO_SECRET_NAMES) {
    const value = (values as unknown as Record<string, unknown>)[name];
    if (typeof value === 'string') secretOverrides[name] = value;
  }
  return {
    once: argv.includes('--once'),
    host,
    ports,
    urls: {
      issuer: `http://${host}:${ports.authServer}`,
      authServer: `http://${host}:${ports.authServer}`,
      serviceB: `http://${host}:${ports.serviceB}`,
      serviceA: `http://${host}:${ports.serviceA}`,
      mqtt: `mqtt://${host}:${ports.mqtt}`,
      mqttWs: `ws://${host}:${ports.mqttWs}/mqtt`,
      mqtts: `mqtts://${host}:${ports.mqtts}`,
      authServerMtls: `https://${host}:${ports.authServerMtls}`,
      brokerHealth: `http://${host}:${ports.mqttWs}/health`,
      thermostatHealth: `http://${host}:${ports.thermostatHealth}/health`,
      hubHealth: `http://${host}:${ports.hubHealth}/health`,
      newThermostatHealth: `http://${host}:${ports.newThermostatHealth}/health`,
    },
    dataDir,
    logDir: join(dataDir, 'logs'),
    secretsFile: join(dataDir, 'secrets.json'),
    logLevel: values.DEMO_LOG_LEVEL,
    adminClientId: values.BOOTSTRAP_ADMIN_CLIENT_ID,
    secretOverrides,
  };
}
