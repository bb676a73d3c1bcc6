import { join } from 'node:path';
import { fetchJson } from '../seed/http-json.js';
import { displayPath } from './console-output.js';
import {
  CRM_RESOURCE,
  DEMO_CLIENT_IDS,
  type DemoClientIds,
  type DemoConfig,
  type DemoSecretName,
  IOT_RESOURCE,
  MARKETING_RESOURCE,
  type StorySecretName,
} from './demo.config.js';
import type { DemoTlsFiles } from './demo-certificates.js';
import type { ServiceSpec } from './processes/service-process.js';
import type { DeviceService, StoryConfig } from './story.js';

export type DemoServiceName = 'authServer' | 'serviceB' | 'serviceA' | 'iotBroker' | DeviceService;

/** Where thermostat-3 keeps the private key it generates (private_key_jwt: it never has a secret). */
export const newThermostatKeyFile = (config: { dataDir: string }) =>
  join(config.dataDir, DEMO_CLIENT_IDS.newThermostat, 'device-key.json');

/** The thermostat boots below the hub's schedule, so the hub has to act and the heater visibly starts. */
export const DEMO_HEATING = { initialTemperature: 19.5, initialSetpoint: 19, scheduledSetpoint: 22 } as const;

// The little the services need from the demo's own environment; nothing else leaks in (a REDIS_URL
// or DATABASE_URL in the caller's shell must not change the embedded default).
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'SYSTEMROOT'];

function baseEnv(config: { logLevel: string }, host = '127.0.0.1'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) if (process.env[name]) env[name] = process.env[name]!;
  return { ...env, HOST: host, LOG_LEVEL: config.logLevel };
}

async function healthy<T = any>(url: string, accept: (body: T) => string | undefined): Promise<string | undefined> {
  const response = await fetchJson<T>(url, { timeoutMs: 2_000 });
  return response.status === 200 ? accept(response.body) : undefined;
}

/** Every service of the demo: how to start it (built entry point, environment) and when it is ready. */
const appEntry = (root: string, app: string) => join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');

export function demoServices(
  config: DemoConfig,
  secrets: Record<DemoSecretName, string>,
  root: string,
  tls: DemoTlsFiles,
): Record<DemoServiceName, ServiceSpec> {
  const entry = (app: string) => appEntry(root, app);
  const { urls, ports } = config;
  const ids = DEMO_CLIENT_IDS;
  const base = baseEnv(config, config.host);

  return {
    authServer: {
      name: 'auth-server',
      entry: entry('auth-server'),
      env: {
        ...base,
        PORT: String(ports.authServer),
        AUTH_ISSUER: urls.issuer,
        DATA_DIR: join(config.dataDir, 'auth-server'),
        BOOTSTRAP_ADMIN_CLIENT_ID: config.adminClientId,
        BOOTSTRAP_ADMIN_CLIENT_SECRET: secrets.BOOTSTRAP_ADMIN_CLIENT_SECRET,
        // The console's "connected devices" page reads the broker's health.
        IOT_BROKER_HEALTH_URL: urls.brokerHealth,
        // RFC 8705: tokens asked for here are bound to the client certificate presented.
        MTLS_PORT: String(ports.authServerMtls),
        MTLS_URL: urls.authServerMtls,
        TLS_CERT_FILE: tls.serverCertFile,
        TLS_KEY_FILE: tls.serverKeyFile,
      },
      ready: () =>
        healthy(
          `${urls.issuer}/health`,
          () => `${urls.issuer} (SQLite in ${displayPath(join(config.dataDir, 'auth-server'))})`,
        ),
    },
    serviceB: {
      name: 'service-b',
      entry: entry('service-b'),
      env: {
        ...base,
        PORT: String(ports.serviceB),
        AUTH_ISSUER: urls.issuer,
        RESOURCE_INDICATOR: CRM_RESOURCE,
        CLIENT_ID: ids.serviceB,
        CLIENT_SECRET: secrets.SERVICE_B_CLIENT_SECRET,
        DATA_DIR: join(config.dataDir, 'service-b'),
      },
      ready: () =>
        healthy<{ authentication?: { revocationFeed?: string } }>(`${urls.serviceB}/health`, (body) =>
          body.authentication?.revocationFeed === 'connected'
            ? `${urls.serviceB} (the CRM; revocation feed connected)`
            : undefined,
        ),
    },
    serviceA: {
      name: 'service-a',
      entry: entry('service-a'),
      env: {
        ...base,
        PORT: String(ports.serviceA),
        AUTH_ISSUER: urls.issuer,
        CLIENT_ID: ids.serviceA,
        CLIENT_SECRET: secrets.SERVICE_A_CLIENT_SECRET,
        RESOURCE_INDICATOR: MARKETING_RESOURCE,
        SERVICE_B_URL: urls.serviceB,
        SERVICE_B_RESOURCE: CRM_RESOURCE,
        // Its tokens for the CRM are bound to a key it generates (DPoP): a copied token is useless.
        SERVICE_B_BINDING: 'dpop',
        // Syncs when the story (or you) POST /sync.
        SYNC_INTERVAL_SECONDS: '0',
        DATA_DIR: join(config.dataDir, 'service-a'),
      },
      ready: () =>
        healthy<{ authentication?: { revocationFeed?: string } }>(`${urls.serviceA}/health`, (body) =>
          body.authentication?.revocationFeed === 'connected'
            ? `${urls.serviceA} (email marketing; revocation feed connected)`
            : undefined,
        ),
    },
    iotBroker: {
      name: 'iot-broker',
      entry: entry('iot-broker'),
      env: {
        ...base,
        AUTH_ISSUER: urls.issuer,
        RESOURCE_INDICATOR: IOT_RESOURCE,
        CLIENT_ID: ids.iotBroker,
        CLIENT_SECRET: secrets.IOT_BROKER_CLIENT_SECRET,
        MQTT_PORT: String(ports.mqtt),
        MQTT_WS_PORT: String(ports.mqttWs),
        // MQTT over TLS: devices present certificates from the demo CA (certificate-bound tokens).
        MQTTS_PORT: String(ports.mqtts),
        TLS_CERT_FILE: tls.serverCertFile,
        TLS_KEY_FILE: tls.serverKeyFile,
        TLS_CLIENT_CA_FILE: tls.caFile,
        // Local demo: /health may list who is connected (the story watches it).
        HEALTH_SHOW_DEVICES: 'true',
      },
      ready: () =>
        healthy<{ revocationFeed?: string }>(urls.brokerHealth, (body) =>
          body.revocationFeed === 'connected'
            ? `${urls.mqtt} and ${urls.mqttWs} (revocation feed connected)`
            : undefined,
        ),
    },
    ...demoDevices(config, ids, secrets, root),
  };
}

/**
 * The devices the IoT story starts: thermostat-1 and hub-1 (a fast room, so the story sees the
 * heater work within seconds) and thermostat-3, which pairs itself. They reach the auth-server and
 * the broker at `config.urls` (inside docker-compose's network when the story runs there).
 */
export function demoDevices(
  config: StoryConfig & { logLevel: string },
  ids: DemoClientIds,
  secrets: Record<StorySecretName, string>,
  root: string,
): Record<DeviceService, ServiceSpec> {
  const entry = appEntry(root, 'devices');
  const { urls } = config;
  const port = (url: string) => new URL(url).port;
  const device = {
    ...baseEnv(config),
    AUTH_ISSUER: urls.issuer,
    ...(urls.authServer !== urls.issuer && { AUTH_INTERNAL_URL: urls.authServer }),
    BROKER_URL: urls.mqtt,
    BROKER_RESOURCE: IOT_RESOURCE,
    // Quick retries: the story disables and re-enables the thermostat and waits for it.
    RECONNECT_MIN_DELAY_MS: '200',
    RECONNECT_MAX_DELAY_MS: '1000',
  };
  const deviceReady = (url: string) => () =>
    healthy<{ broker?: string }>(url, (body) => (body.broker === 'connected' ? 'connected to the broker' : undefined));
  const thermostat = {
    DEVICE_ROLE: 'thermostat',
    // A fast room: two simulated minutes every quarter second, telemetry every second.
    THERMOSTAT_TICK_MS: '250',
    THERMOSTAT_SIMULATED_SECONDS_PER_TICK: '120',
    THERMOSTAT_TELEMETRY_INTERVAL_MS: '1000',
    THERMOSTAT_INITIAL_TEMPERATURE: String(DEMO_HEATING.initialTemperature),
    THERMOSTAT_INITIAL_SETPOINT: String(DEMO_HEATING.initialSetpoint),
  };

  return {
    thermostat: {
      name: 'thermostat',
      entry,
      env: {
        ...device,
        ...thermostat,
        CLIENT_ID: ids.thermostat,
        CLIENT_SECRET: secrets.THERMOSTAT_CLIENT_SECRET,
        HEALTH_PORT: port(urls.thermostatHealth),
      },
      ready: deviceReady(urls.thermostatHealth),
    },
    newThermostat: {
      name: ids.newThermostat,
      entry,
      env: {
        ...device,
        ...thermostat,
        CLIENT_ID: ids.newThermostat,
        TOKEN_AUTH_METHOD: 'private_key_jwt',
        DEVICE_KEY_FILE: newThermostatKeyFile(config),
        HEALTH_PORT: port(urls.newThermostatHealth),
      },
      // Ready once it shows its pairing code (or, paired already, once it is on the broker).
      ready: () =>
        healthy<{ broker?: string; pairing?: { userCode?: string } }>(urls.newThermostatHealth, (body) =>
          body.pairing?.userCode
            ? `waiting to be paired, code ${body.pairing.userCode}`
            : body.broker === 'connected'
              ? 'connected to the broker'
              : undefined,
        ),
    },
    hub: {
      name: 'hub',
      entry,
      env: {
        ...device,
        DEVICE_ROLE: 'hub',
        CLIENT_ID: ids.hub,
        CLIENT_SECRET: secrets.HUB_CLIENT_SECRET,
        HEALTH_PORT: port(urls.hubHealth),
        HUB_THERMOSTAT_ID: ids.thermostat,
        // The user's preference all day, in a fixed zone, so the demo does not depend on the hour.
        HUB_SCHEDULE: `00:00=${DEMO_HEATING.scheduledSetpoint}`,
        HUB_TIME_ZONE: 'UTC',
        HUB_RECONCILE_INTERVAL_MS: '1000',
        HUB_ACK_TIMEOUT_MS: '3000',
      },
      ready: deviceReady(urls.hubHealth),
    },
  };
}
