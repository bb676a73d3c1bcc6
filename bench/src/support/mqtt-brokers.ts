import { freePort } from '../../../test/support/free-port.js';
import type { AuthServerProcess } from './auth-server.process.js';
import { appEntry, serverEntry } from './paths.js';
import { ServerProcess } from './server-process.js';

/** The broker's RFC 8707 resource indicator in every MQTT benchmark. */
export const IOT = 'https://iot.tollgate.local';

export interface MqttEndpoint {
  host: string;
  port: number;
  /** MQTT over TLS: the CA the broker's certificate chains to. */
  tls?: { ca: string };
}

/** A broker under test in its own process, reachable over MQTT/TCP. */
export interface BrokerProcess {
  endpoint: MqttEndpoint;
  server: ServerProcess;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Tollgate's IoT broker (built, its real main.js), trusting `auth` for device tokens, following
 * its revocation feed and reporting refusals through a client granted `revocations:read` and
 * `usage:write`, as deployed. The per-address connection rate limit is lifted: every benchmark
 * connection comes from 127.0.0.1.
 */
export async function startIotBroker(
  auth: AuthServerProcess,
  options: { name?: string; env?: Record<string, string> } = {},
): Promise<BrokerProcess & { healthUrl: string }> {
  const name = options.name ?? 'iot-broker';
  const own = await auth.createClient(`${name} client`, [
    { resource: auth.managementApi, scopes: ['revocations:read', 'usage:write'] },
  ]);
  const [mqttPort, wsPort] = [await freePort(), await freePort()];
  const healthUrl = `http://${HOST}:${wsPort}/health`;
  const server = await ServerProcess.start({
    name,
    entry: appEntry('iot-broker'),
    env: {
      AUTH_ISSUER: auth.issuer,
      RESOURCE_INDICATOR: IOT,
      HOST,
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(wsPort),
      CLIENT_ID: own.id,
      CLIENT_SECRET: own.secret,
      CONNECTION_RATE_PER_SECOND: '1000000',
      CONNECTION_BURST: '1000000',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    readyUrl: healthUrl,
  });
  return { endpoint: { host: HOST, port: mqttPort }, server, healthUrl, stop: () => server.stop() };
}

/**
 * The baseline: plain aedes without authentication (bench/src/servers/plain-aedes.server.ts), run
 * as its README runs it, or with `nodeOptions` for node (e.g. the V8 setting Tollgate's broker uses).
 */
export async function startPlainAedes(
  name = 'plain-aedes',
  options: { nodeOptions?: string[] } = {},
): Promise<BrokerProcess> {
  const [mqttPort, healthPort] = [await freePort(), await freePort()];
  const server = await ServerProcess.start({
    name,
    entry: serverEntry('plain-aedes'),
    nodeOptions: options.nodeOptions,
    env: { MQTT_PORT: String(mqttPort), HEALTH_PORT: String(healthPort) },
    readyUrl: `http://${HOST}:${healthPort}/health`,
  });
  return { endpoint: { host: HOST, port: mqttPort }, server, stop: () => server.stop() };
}
