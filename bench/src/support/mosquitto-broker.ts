import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/support/free-port.js';
import type { BrokerProcess } from './mqtt-brokers.js';
import type { DeviceLogin } from './mqtt-load.js';
import { ServerProcess } from './server-process.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const HOST = '127.0.0.1';

export interface MosquittoAccounts {
  /** Devices (a thermostat's rights): publish their own telemetry, state and command acks, read their own commands. */
  devices: DeviceLogin[];
  /** Watchers (a dashboard's `devices:read:*`): read every device's telemetry, state and command acks. */
  watchers?: DeviceLogin[];
}

/** Mosquitto's version line, or undefined when it is not installed here. */
export function mosquittoVersion(): string | undefined {
  if (!existsSync(MOSQUITTO) || !existsSync(MOSQUITTO_PASSWD)) return undefined;
  // `mosquitto -h` prints its version and exits with 3.
  const help = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8' }).stdout;
  return /mosquitto version ([\d.]+)/.exec(help)?.[1];
}

/**
 * A Mosquitto of our own (never the system one on 1883), configured as an operator would without
 * JWTs: a password file (the device's token string is its password, hashed by mosquitto_passwd,
 * so CONNECT packets are byte-identical to the ones the Tollgate broker gets), an ACL file granting
 * what the Tollgate broker's ACL grants a thermostat and a dashboard, client id = username (as
 * Tollgate binds the session to the token's `sub`), nothing persisted, errors logged only.
 */
export async function startMosquitto(dir: string, accounts: MosquittoAccounts): Promise<BrokerProcess> {
  mkdirSync(dir, { recursive: true });
  const everyone = [...accounts.devices, ...(accounts.watchers ?? [])];
  const passwords = join(dir, 'passwords');
  writeFileSync(passwords, everyone.map(({ clientId, token }) => `${clientId}:${token}\n`).join(''), { mode: 0o600 });
  execFileSync(MOSQUITTO_PASSWD, ['-U', passwords], { stdio: 'ignore' });

  const acl = join(dir, 'acl');
  writeFileSync(
    acl,
    [
      '# A device: its own telemetry, state and command acknowledgements; its own commands.',
      'pattern write devices/%c/telemetry',
      'pattern write devices/%c/state',
      'pattern write devices/%c/commands/ack',
      'pattern read devices/%c/commands/#',
      ...(accounts.watchers ?? []).flatMap(({ clientId }) => [
        `user ${clientId}`,
        'topic read devices/+/telemetry',
        'topic read devices/+/state',
        'topic read devices/+/commands/ack',
      ]),
      '',
    ].join('\n'),
  );

  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} ${HOST}`,
      'allow_anonymous false',
      `password_file ${passwords}`,
      `acl_file ${acl}`,
      'use_username_as_clientid true',
      'user root',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      // No limit on QoS 1 messages in flight to a subscriber, as aedes has none. With a limit (the
      // default 20, or 1000) Mosquitto 2.0.11 stopped delivering to this benchmark's subscriber after a
      // few thousand messages, with the rest held in its queue; with 0 (or 1) it delivers them all.
      'max_inflight_messages 0',
      'max_queued_messages 10000',
      '',
    ].join('\n'),
  );
  const server = await ServerProcess.startExecutable({
    name: 'mosquitto',
    command: MOSQUITTO,
    args: ['-c', config],
    readyPort: { host: HOST, port },
  });
  return { endpoint: { host: HOST, port }, server, stop: () => server.stop() };
}
