import type { Benchmark } from '../benchmark.js';
import { AuthServerProcess } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { IOT, type MqttEndpoint, startIotBroker, startPlainAedes } from '../support/mqtt-brokers.js';
import { join } from 'node:path';
import { mosquittoVersion, startMosquitto } from '../support/mosquitto-broker.js';
import {
  deliveredTopics,
  type DeviceLogin,
  mqttPublishContender,
  subscribeGrant,
  TELEMETRY_PAYLOAD_BYTES,
} from '../support/mqtt-load.js';

const PUBLISHERS = 4;
const WINDOW = 64;
const FILTER = 'devices/+/telemetry';
const TOKEN_TTL_SECONDS = 86_400;
// The benchmark drives each device as fast as the broker goes: the per-connection publish budget
// (100 messages/s for a device by default) is raised out of reach, so its check runs but never waits.
const PUBLISH_BUDGET_OUT_OF_REACH = {
  DEVICE_PUBLISH_MESSAGES_PER_SECOND: '1000000000',
  DEVICE_PUBLISH_BYTES_PER_SECOND: '1000000000000',
};

/**
 * Telemetry messages per second through the broker's access control: devices (scope `device`)
 * publish to `devices/<id>/telemetry`, a dashboard (scope `devices:read:*`) subscribed to
 * `devices/+/telemetry` receives them; ours checks every publish and every delivery against the
 * session's scopes and expiry. The baseline is plain aedes with the same clients and packets.
 */
function mqttPublish(qos: 0 | 1): Benchmark {
  return {
    name: `mqttPublishQos${qos}`,
    description: `telemetry messages/s at QoS ${qos}, ${PUBLISHERS} devices → 1 subscriber (${FILTER}), through the ACL hooks: Tollgate broker vs plain aedes`,
    kind: 'throughput',
    target: 0.9,

    async setup({ tempDir, connections = PUBLISHERS, log }) {
      const cleanup = new CleanupStack();
      try {
        log('starting the auth-server');
        const auth = await AuthServerProcess.start(tempDir);
        cleanup.add(() => auth.stop());
        await auth.createResource(IOT, ['device', 'devices:read:*'], TOKEN_TTL_SECONDS);
        const login = async (id: string, scope: string): Promise<DeviceLogin> => {
          const client = await auth.createClient(id, [{ resource: IOT, scopes: [scope] }], { id, kind: 'device' });
          return { clientId: id, token: await auth.token(client, { resource: IOT, scope }) };
        };
        const publishers: DeviceLogin[] = [];
        for (let i = 1; i <= connections; i++) publishers.push(await login(`bench-sensor-${i}`, 'device'));
        const subscriber = await login('bench-dashboard', 'devices:read:*');

        log('starting the Tollgate broker and plain aedes');
        const ours = await startIotBroker(auth, { env: PUBLISH_BUDGET_OUT_OF_REACH });
        cleanup.add(() => ours.stop());
        const baseline = await startPlainAedes();
        cleanup.add(() => baseline.stop());

        // The ACL must be on at ours: the dashboard may watch telemetry but not commands.
        const commands = await subscribeGrant(ours.endpoint, subscriber, 'devices/+/commands/#', qos);
        if (commands !== 0x80)
          throw new Error(
            `the Tollgate broker granted ${commands} to a watcher subscribing to commands (expected 128, refused)`,
          );

        const load = { publishers, subscriber, filter: FILTER, qos, window: WINDOW };
        const oursContender = await mqttPublishContender(
          'Tollgate broker (ACL per publish and delivery)',
          ours.endpoint,
          load,
          [ours.server],
        );
        cleanup.add(() => oursContender.close());
        const baselineContender = await mqttPublishContender('plain aedes (no ACL)', baseline.endpoint, load, [
          baseline.server,
        ]);
        cleanup.add(() => baselineContender.close());

        const version = mosquittoVersion();
        let mosquittoContender;
        if (version) {
          log(`starting Mosquitto ${version}`);
          const mosquitto = await startMosquitto(join(tempDir, 'mosquitto'), {
            devices: publishers,
            watchers: [subscriber],
          });
          cleanup.add(() => mosquitto.stop());
          await assertWriteAclEnforced(mosquitto.endpoint, publishers, subscriber);
          mosquittoContender = await mqttPublishContender(
            `Mosquitto ${version} (password file, ACL file)`,
            mosquitto.endpoint,
            load,
            [mosquitto.server],
          );
          cleanup.add(() => mosquittoContender!.close());
        } else log('Mosquitto is not installed here: measuring without it');

        return {
          ...(mosquittoContender && {
            furtherBaselines: [{ name: 'mosquitto', contender: mosquittoContender, target: 0.8 }],
          }),
          ours: oursContender,
          baseline: baselineContender,
          conditions: {
            qos,
            publishers: connections,
            subscribers: 1,
            inFlightPerPublisher: WINDOW,
            payloadBytes: TELEMETRY_PAYLOAD_BYTES,
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

/** Mosquitto must drop a device's publish to another device's topic (it does so silently, without closing). */
async function assertWriteAclEnforced(
  endpoint: MqttEndpoint,
  [device, other]: DeviceLogin[],
  watcher: DeviceLogin,
): Promise<void> {
  const own = `devices/${device.clientId}/telemetry`;
  const foreign = `devices/${other?.clientId ?? 'someone-else'}/telemetry`;
  const delivered = await deliveredTopics(endpoint, device, watcher, 'devices/+/telemetry', [foreign], own);
  if (delivered.length !== 0)
    throw new Error(`Mosquitto delivered ${delivered.join(', ')}, which ${device.clientId} may not publish to`);
}

export const mqttPublishQos0 = mqttPublish(0);
export const mqttPublishQos1 = mqttPublish(1);
