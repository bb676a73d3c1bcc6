import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, Contender, Measurement } from '../benchmark.js';
import { AuthServerProcess, type ClientCredentials } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { type BrokerProcess, IOT, startIotBroker, startPlainAedes } from '../support/mqtt-brokers.js';
import { type DeviceLogin, type DeviceSession, openSubscribedSession } from '../support/mqtt-load.js';
import { percentile } from '../support/statistics.js';

/** What the issue asks one broker process to hold. */
const WANTED_SESSIONS = 50_000;
const QUICK_SESSIONS = 2_000;
/** Files a process needs beyond its sessions' sockets (modules, logs, its own connections). */
const FILE_MARGIN = 500;
/** CONNECTs in flight while the fleet comes up. */
const CONNECTING = 256;
const REVOCATIONS_PER_ROUND = 5;
const TOKEN_TTL_SECONDS = 86_400;

/**
 * Many live device sessions on one broker process: every device connects with its own JWT and
 * subscribes to its commands topic; measured are the time to bring the whole fleet up, the broker's
 * resident memory per session, and (ours only) how long a revocation takes to close one chosen
 * session while all are connected. Each round starts a fresh broker, so its memory is counted from
 * the same starting point. The baseline is plain aedes with the same sessions, unauthenticated.
 * The fleet spreads its source addresses over 127.0.0.0/8 so no address runs out of ports; the
 * count is capped by this machine's open-files limit, which the report says.
 */
export const mqttSessions: Benchmark = {
  name: 'mqttSessions',
  description: `${WANTED_SESSIONS.toLocaleString('en-US')} concurrent device sessions (own JWT, subscribed to its commands) on one broker: memory per session (and before the first), time to connect all, a revocation closing one of them: Tollgate broker vs plain aedes`,
  kind: 'memory',
  // At most 1.3× plain aedes' memory per session.
  target: 1 / 1.3,

  async setup({ tempDir, quick, log }) {
    const fileLimit = openFilesLimit();
    const wanted = quick ? QUICK_SESSIONS : WANTED_SESSIONS;
    const sessions = Math.min(wanted, fileLimit - FILE_MARGIN);
    if (sessions < wanted)
      log(
        `holding ${sessions} sessions, not ${wanted}: a process may open ${fileLimit} files here (ulimit -n), and the broker and the fleet each need one per session`,
      );
    const cleanup = new CleanupStack();
    try {
      log('starting the auth-server');
      const auth = await AuthServerProcess.start(tempDir);
      cleanup.add(() => auth.stop());
      await auth.createResource(IOT, ['device'], TOKEN_TTL_SECONDS);
      log(`registering ${sessions} devices, each with its own token`);
      const registered = Date.now();
      const devices = await registerDevices(auth, sessions);
      log(`registered in ${((Date.now() - registered) / 1000).toFixed(1)} s`);

      const brokerEnv = { MAX_CONNECTIONS: String(sessions + FILE_MARGIN) };
      const ours = fleetContender(
        `Tollgate broker (${sessions} sessions, JWT and ACL each)`,
        () => startIotBroker(auth, { env: brokerEnv }),
        devices,
        async (session, index) => {
          // Revoke one device's tokens while every session is up, time its session's close, then
          // give it a fresh token for the next round.
          const device = devices[index];
          const started = performance.now();
          await auth.api('POST', `/api/clients/${device.login.clientId}/revoke-tokens`, undefined, 200);
          const closedAt = await Promise.race([session.closedAt, sleep(10_000).then(() => Number.NaN)]);
          if (Number.isNaN(closedAt)) throw new Error(`${device.login.clientId}: revoked, still connected after 10 s`);
          device.login = {
            ...device.login,
            token: await auth.token(device.client, { resource: IOT, scope: 'device' }),
          };
          return closedAt - started;
        },
      );
      const baseline = fleetContender(
        `plain aedes (${sessions} sessions, no authentication)`,
        () => startPlainAedes(),
        devices,
      );
      return {
        ours,
        baseline,
        conditions: {
          sessions,
          sessionsWanted: wanted,
          openFilesLimit: fileLimit,
          connectingAtOnce: CONNECTING,
          sourceAddresses: '127.0.0.0/8',
          subscription: 'devices/<id>/commands/# at QoS 1',
        },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

interface FleetDevice {
  client: ClientCredentials;
  login: DeviceLogin;
}

/** One round: a fresh broker, the whole fleet connected and subscribed, measured, then taken down. */
function fleetContender(
  label: string,
  startBroker: () => Promise<BrokerProcess>,
  devices: FleetDevice[],
  revoke?: (session: DeviceSession, index: number) => Promise<number>,
): Contender {
  return {
    label,
    run: async (): Promise<Measurement> => {
      const broker = await startBroker();
      const sessions: DeviceSession[] = [];
      try {
        await sleep(500);
        const idleBytes = broker.server.residentBytes();
        const cpuBefore = broker.server.cpuTimeMs();
        const latencies: number[] = [];
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: CONNECTING }, async () => {
            while (next < devices.length) {
              const index = next++;
              const begun = performance.now();
              sessions[index] = await openSubscribedSession(
                broker.endpoint,
                devices[index].login,
                `devices/${devices[index].login.clientId}/commands/#`,
                sourceAddress(index),
              );
              latencies.push(performance.now() - begun);
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const cpuAfter = broker.server.cpuTimeMs();
        await sleep(1_000);
        const heldBytes = broker.server.residentBytes();
        const revocations: number[] = [];
        if (revoke) {
          for (let i = 0; i < REVOCATIONS_PER_ROUND; i++) {
            const index = Math.floor(((i + 0.5) * devices.length) / REVOCATIONS_PER_ROUND);
            revocations.push(await revoke(sessions[index], index));
          }
        }
        const sorted = Float64Array.from(latencies).sort();
        const revoked = Float64Array.from(revocations).sort();
        return {
          rps: devices.length / seconds,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          ...(cpuBefore &&
            cpuAfter && {
              cpuUsPerOp: ((cpuAfter.total - cpuBefore.total) * 1000) / devices.length,
              mainThreadCpuUsPerOp: ((cpuAfter.mainThread - cpuBefore.mainThread) * 1000) / devices.length,
            }),
          ...(idleBytes !== undefined &&
            heldBytes !== undefined && { memoryBytesPerOp: (heldBytes - idleBytes) / devices.length }),
          ...(idleBytes !== undefined && { idleMemoryBytes: idleBytes }),
          ...(revoke && {
            parts: {
              'revocation → that session closed, all connected': {
                p50Ms: percentile(revoked, 0.5),
                p99Ms: percentile(revoked, 0.99),
              },
            },
          }),
        };
      } finally {
        await Promise.all(sessions.filter(Boolean).map((session) => session.close()));
        await broker.stop();
      }
    },
  };
}

/** Devices registered at the auth-server (a client each, kind `device`) with a token each, 32 at a time. */
async function registerDevices(auth: AuthServerProcess, count: number): Promise<FleetDevice[]> {
  const devices: FleetDevice[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const index = next++;
        const id = `fleet-device-${index}`;
        const client = await auth.createClient(id, [{ resource: IOT, scopes: ['device'] }], { id, kind: 'device' });
        devices[index] = {
          client,
          login: { clientId: id, token: await auth.token(client, { resource: IOT, scope: 'device' }) },
        };
      }
    }),
  );
  return devices;
}

/** A source address in 127.0.0.0/8 for the session at `index` (254 sessions per address). */
function sourceAddress(index: number): string {
  const address = Math.floor(index / 254);
  return `127.${1 + (Math.floor(address / 256) % 254)}.${address % 256}.${1 + (index % 254)}`;
}

/** The open-files limit this process (and the servers it starts, which inherit it) runs under. */
function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((row) => row.startsWith('Max open files'));
  const soft = Number(line?.split(/\s{2,}/)[1]);
  return Number.isFinite(soft) ? soft : 1024;
}
