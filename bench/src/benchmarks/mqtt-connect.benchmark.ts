import type { Benchmark } from '../benchmark.js';
import { AuthServerProcess } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { IOT, startIotBroker, startPlainAedes } from '../support/mqtt-brokers.js';
import { connackCode, type DeviceLogin, mqttConnectContender } from '../support/mqtt-load.js';
import { mosquittoVersion, startMosquitto } from '../support/mosquitto-broker.js';
import { join } from 'node:path';

const CONCURRENCY = 16;
const PRETENURING_OFF = '--no-allocation-site-pretenuring';
// Longer than any run, so no token expires mid-benchmark.
const TOKEN_TTL_SECONDS = 86_400;

/**
 * Authenticated MQTT connections per second: every connection is new, presents a device's ES256 JWT
 * (username = client id = the token's `sub`), is accepted and closed after CONNACK. Ours verifies
 * the token (signature, issuer, audience, expiry, deny list), binds the session to it and computes
 * its permissions; the baseline is plain aedes accepting the same CONNECT packets unchecked.
 */
export const mqttConnect = connectBenchmark({
  name: 'mqttConnect',
  description:
    'new MQTT connections/s, each CONNECT with a device JWT, closed after CONNACK: Tollgate broker vs plain aedes (no auth)',
  // Issue 15: at least 0.9× plain aedes' connections per second.
  target: 0.9,
});

/**
 * The same at 1,000 connections a second, which both brokers sustain (each accepts 2,000–2,700 here),
 * so that both get the same load shape and the CPU difference is what authentication costs (issue
 * 15: at most 60 µs per CONNECT over plain aedes). Mosquitto is left out.
 */
export const mqttConnectPaced = connectBenchmark({
  name: 'mqttConnectPaced',
  description: 'mqttConnect with both brokers offered 1,000 new connections/s',
  target: 0.95,
  cpuOverheadTargetUs: 60,
  connectionsPerSecond: 1_000,
});

function connectBenchmark(
  spec: Pick<Benchmark, 'name' | 'description' | 'target' | 'cpuOverheadTargetUs'> & { connectionsPerSecond?: number },
): Benchmark {
  const paced = spec.connectionsPerSecond;
  return {
    ...spec,
    kind: 'throughput',

    async setup({ tempDir, connections = CONCURRENCY, log }) {
      const cleanup = new CleanupStack();
      try {
        log('starting the auth-server');
        const auth = await AuthServerProcess.start(tempDir);
        cleanup.add(() => auth.stop());
        await auth.createResource(IOT, ['device'], TOKEN_TTL_SECONDS);
        const poolSize = Math.max(20, connections * 2);
        log(`registering ${poolSize} device clients`);
        const devices: DeviceLogin[] = [];
        for (let i = 1; i <= poolSize; i++) {
          const id = `bench-device-${i}`;
          const client = await auth.createClient(id, [{ resource: IOT, scopes: ['device'] }], { id, kind: 'device' });
          devices.push({ clientId: id, token: await auth.token(client, { resource: IOT, scope: 'device' }) });
        }

        log('starting the Tollgate broker and plain aedes, as its README runs it and tuned as ours');
        const ours = await startIotBroker(auth);
        cleanup.add(() => ours.stop());
        const baseline = await startPlainAedes();
        cleanup.add(() => baseline.stop());
        const tuned = await startPlainAedes('plain-aedes-tuned', { nodeOptions: [PRETENURING_OFF] });
        cleanup.add(() => tuned.stop());

        // Authentication must be on at ours (a token under another device's id is refused with 5,
        // not authorised) and every device must be accepted by both.
        const [first, second] = devices;
        const impostor = await connackCode(ours.endpoint, { clientId: second.clientId, token: first.token });
        if (impostor !== 5)
          throw new Error(
            `the Tollgate broker answered CONNACK ${impostor} to a token presented under another device's id (expected 5)`,
          );
        for (const device of devices) {
          for (const [who, broker] of [
            ['the Tollgate broker', ours],
            ['plain aedes', baseline],
            ['plain aedes (tuned)', tuned],
          ] as const) {
            const code = await connackCode(broker.endpoint, device);
            if (code !== 0) throw new Error(`${who} refused ${device.clientId} with CONNACK ${code}`);
          }
        }

        const mosquitto = paced ? undefined : await mosquittoBaseline(tempDir, devices, connections, log);
        if (mosquitto) cleanup.add(() => mosquitto.stop());

        // Tollgate's broker turns V8's pretenuring off (apps/iot-broker/src/runtime/pretenuring.ts),
        // which plain aedes as its README runs it does not: this row shows what is left without it.
        const tunedAedes = {
          name: 'plainAedesTuned',
          contender: mqttConnectContender(
            'plain aedes, pretenuring off as in ours',
            tuned.endpoint,
            devices,
            connections,
            [tuned.server],
            paced,
          ),
        };
        return {
          furtherBaselines: [tunedAedes, ...(mosquitto ? [{ name: 'mosquitto', contender: mosquitto.contender }] : [])],
          ours: mqttConnectContender(
            'Tollgate broker (JWT verified per CONNECT)',
            ours.endpoint,
            devices,
            connections,
            [ours.server],
            paced,
          ),
          baseline: mqttConnectContender(
            'plain aedes (no authentication)',
            baseline.endpoint,
            devices,
            connections,
            [baseline.server],
            paced,
          ),
          conditions: {
            concurrentConnections: connections,
            devices: poolSize,
            token: 'ES256 JWT',
            ...(paced && { connectionsPerSecond: paced }),
          },
          teardown: () => cleanup.run(),
        };
      } catch (error) {
        await cleanup.run().catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * Mosquitto with the same devices (password file, ACL file), when it is installed: checked to
 * refuse a wrong password (CONNACK 4 or 5) and to accept every device, then measured the same way.
 */
async function mosquittoBaseline(
  tempDir: string,
  devices: DeviceLogin[],
  connections: number,
  log: (message: string) => void,
) {
  const version = mosquittoVersion();
  if (!version) {
    log('Mosquitto is not installed here: measuring without it');
    return undefined;
  }
  log(`starting Mosquitto ${version}`);
  const broker = await startMosquitto(join(tempDir, 'mosquitto'), { devices });
  try {
    const wrong = await connackCode(broker.endpoint, { ...devices[0], token: `${devices[0].token}x` });
    if (wrong !== 4 && wrong !== 5)
      throw new Error(`Mosquitto answered CONNACK ${wrong} to a wrong password (expected 4 or 5)`);
    for (const device of devices) {
      const code = await connackCode(broker.endpoint, device);
      if (code !== 0) throw new Error(`Mosquitto refused ${device.clientId} with CONNACK ${code}`);
    }
    return {
      stop: () => broker.stop(),
      contender: mqttConnectContender(
        `Mosquitto ${version} (password file, ACL file)`,
        broker.endpoint,
        devices,
        connections,
        [broker.server],
      ),
    };
  } catch (error) {
    await broker.stop();
    throw error;
  }
}
