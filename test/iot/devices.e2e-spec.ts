import type { MqttClient } from 'mqtt';
import { loadDevicesConfig } from '../../apps/devices/src/config/devices.config.js';
import { createDeviceApp, type DeviceApp } from '../../apps/devices/src/devices.app.js';
import type { LogLine } from '../support/memory-logger.js';
import { memoryLogger } from '../support/memory-logger.js';
import {
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  type ReceivedMessage,
  waitFor,
} from '../support/mqtt-test-client.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const BROKER_RESOURCE = 'https://iot.tollgate.local';
const THERMOSTAT = {
  clientId: 'thermostat-1',
  clientSecret: 'thermostat-secret-0123456789abcdef',
  resource: BROKER_RESOURCE,
  scope: 'device',
};
const HUB = {
  clientId: 'hub-1',
  clientSecret: 'hub-secret-0123456789abcdefghijkl',
  resource: BROKER_RESOURCE,
  scope: 'devices:control:thermostat-*',
};

interface RunningDevice {
  app: DeviceApp;
  logs: LogLine[];
  healthUrl: string;
}

async function startDevice(env: Record<string, string>): Promise<RunningDevice> {
  const config = loadDevicesConfig({
    HEALTH_PORT: '0',
    RECONNECT_MIN_DELAY_MS: '50',
    RECONNECT_MAX_DELAY_MS: '400',
    ...env,
  });
  const { logger, logs } = memoryLogger(`device:${config.role}`);
  const app = createDeviceApp(config, { logger });
  const { healthUrl } = await app.start();
  return { app, logs, healthUrl };
}

const thermostatEnv = (issuer: TestIssuer, brokerUrl: string, extra: Record<string, string> = {}) => ({
  DEVICE_ROLE: 'thermostat',
  CLIENT_ID: THERMOSTAT.clientId,
  CLIENT_SECRET: THERMOSTAT.clientSecret,
  AUTH_ISSUER: issuer.issuer,
  BROKER_URL: brokerUrl,
  THERMOSTAT_TICK_MS: '20',
  THERMOSTAT_SIMULATED_SECONDS_PER_TICK: '120',
  THERMOSTAT_TELEMETRY_INTERVAL_MS: '100',
  THERMOSTAT_INITIAL_TEMPERATURE: '18',
  THERMOSTAT_INITIAL_SETPOINT: '19',
  ...extra,
});

const hubEnv = (issuer: TestIssuer, brokerUrl: string, extra: Record<string, string> = {}) => ({
  DEVICE_ROLE: 'hub',
  CLIENT_ID: HUB.clientId,
  CLIENT_SECRET: HUB.clientSecret,
  TOKEN_AUTH_METHOD: 'client_secret_post',
  AUTH_ISSUER: issuer.issuer,
  BROKER_URL: brokerUrl,
  HUB_THERMOSTAT_ID: THERMOSTAT.clientId,
  HUB_SCHEDULE: '00:00=23',
  HUB_TIME_ZONE: 'UTC',
  HUB_RECONCILE_INTERVAL_MS: '100',
  HUB_ACK_TIMEOUT_MS: '2000',
  ...extra,
});

async function watch(
  iot: TestIotBroker,
  issuer: TestIssuer,
): Promise<{ observer: MqttClient; inbox: ReceivedMessage[] }> {
  const observer = await connectDevice(iot.mqttUrl, {
    clientId: 'dashboard',
    password: await issuer.token({ subject: 'dashboard', scope: 'devices:read:*' }),
  });
  const inbox = collectMessages(observer);
  expect(await grantedQos(observer, ['devices/thermostat-1/telemetry', 'devices/thermostat-1/commands/ack'])).toEqual([
    1, 1,
  ]);
  return { observer, inbox };
}

const telemetry = (inbox: ReceivedMessage[]) =>
  inbox
    .filter((m) => m.topic === 'devices/thermostat-1/telemetry')
    .map((m) => m.json<{ temperature: number; setpoint: number }>());

describe('devices: a thermostat and a hub over the broker', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let thermostat: RunningDevice | undefined;
  let hub: RunningDevice | undefined;
  let observer: MqttClient | undefined;

  beforeEach(async () => {
    issuer = await TestIssuer.start();
    issuer.registerClient(THERMOSTAT);
    issuer.registerClient(HUB);
    iot = await startTestIotBroker(issuer);
  });

  afterEach(async () => {
    await endAll(observer);
    await thermostat?.app.stop();
    await hub?.app.stop();
    await iot.close();
    await issuer.stop();
    thermostat = hub = observer = undefined;
  });

  it('the hub sets the target, the thermostat acknowledges it and the room warms toward it', async () => {
    const watched = await watch(iot, issuer);
    observer = watched.observer;
    thermostat = await startDevice(thermostatEnv(issuer, iot.mqttUrl));
    hub = await startDevice(hubEnv(issuer, iot.wsUrl));

    const ack = await waitFor(
      () =>
        watched.inbox.find(
          (m) =>
            m.topic === 'devices/thermostat-1/commands/ack' &&
            m.json<{ state: { setpoint: number } }>().state.setpoint === 23,
        ),
      'the thermostat to acknowledge setpoint 23',
    );
    expect(ack.json()).toMatchObject({ command: 'setpoint', status: 'applied', id: expect.any(String) });
    const commandId = ack.json<{ id: string }>().id;
    expect(hub.logs).toContainEqual(
      expect.objectContaining({ msg: 'command sent: setpoint 23 °C to thermostat-1 (target 23 °C)', id: commandId }),
    );
    expect(thermostat.logs).toContainEqual(
      expect.objectContaining({ msg: 'command applied: setpoint 23 °C', id: commandId }),
    );

    await waitFor(
      () => telemetry(watched.inbox).find((t) => t.temperature >= 22.5),
      'the room to reach 22.5 °C',
      20_000,
    );
    const temperatures = telemetry(watched.inbox).map((t) => t.temperature);
    expect(temperatures[0]).toBeLessThan(20);
    expect(Math.max(...temperatures)).toBeLessThan(23.5);

    const thermostatHealth = await (await fetch(thermostat.healthUrl)).json();
    expect(thermostatHealth).toMatchObject({
      status: 'ok',
      role: 'thermostat',
      clientId: 'thermostat-1',
      broker: 'connected',
      thermostat: { setpoint: 23, mode: 'heat' },
    });
    const hubHealth = await (await fetch(hub.healthUrl)).json();
    expect(hubHealth).toMatchObject({
      role: 'hub',
      broker: 'connected',
      hub: {
        thermostatId: 'thermostat-1',
        target: { mode: 'heat', setpoint: 23 },
        thermostat: { setpoint: 23, mode: 'heat' },
      },
    });
    expect(
      iot.logs.filter(
        (line) =>
          line.msg.startsWith('connection refused') ||
          line.msg.startsWith('publish refused') ||
          line.msg.startsWith('subscription refused'),
      ),
    ).toEqual([]);
  });

  it('turns the heating off when the schedule says off, and the room cools', async () => {
    const watched = await watch(iot, issuer);
    observer = watched.observer;
    thermostat = await startDevice(
      thermostatEnv(issuer, iot.mqttUrl, { THERMOSTAT_INITIAL_TEMPERATURE: '21', THERMOSTAT_INITIAL_SETPOINT: '21' }),
    );
    hub = await startDevice(hubEnv(issuer, iot.mqttUrl, { HUB_SCHEDULE: '00:00=off' }));
    await waitFor(
      () => watched.inbox.find((m) => m.topic.endsWith('/ack') && m.json<{ command: string }>().command === 'mode'),
      'the mode command to be acknowledged',
    );
    await waitFor(() => telemetry(watched.inbox).find((t) => t.temperature <= 19), 'the room to cool', 20_000);
    expect(thermostat.app.health().thermostat).toMatchObject({ mode: 'off', heating: false });
  });

  it(
    'refreshes its token before it expires and reconnects with it, without the broker having to cut it off',
    { timeout: 60_000 },
    async () => {
      // Margins wide enough for a loaded machine (a 6 s token refreshed 2 s early expired once under load).
      issuer.registerClient({ ...THERMOSTAT, tokenTtlSeconds: 10 });
      thermostat = await startDevice(thermostatEnv(issuer, iot.mqttUrl, { TOKEN_REFRESH_SKEW_SECONDS: '4' }));
      // The device logs a refresh once the token has reached it, a little after the issuer counted it.
      const refreshes = () =>
        thermostat!.logs.filter((line) => line.msg === 'access token refreshed; reconnecting with it').length;
      await waitFor(() => refreshes() >= 2, 'two token refreshes', 30_000);
      await waitFor(() => thermostat!.app.connection.connected, 'the thermostat to be connected');
      expect(issuer.issuedTokens.get('thermostat-1')).toBeGreaterThanOrEqual(3);
      expect(iot.logs.filter((line) => line.clientId === 'thermostat-1' && line.reason === 'token_expired')).toEqual(
        [],
      );
      expect(thermostat.logs.filter((line) => line.level >= 50)).toEqual([]);
    },
  );

  it('recovers when the broker restarts: both devices come back and commands flow again', async () => {
    thermostat = await startDevice(thermostatEnv(issuer, iot.mqttUrl));
    hub = await startDevice(hubEnv(issuer, iot.mqttUrl));
    await waitFor(() => thermostat!.app.health().thermostat?.setpoint === 23, 'the first setpoint');

    const { mqttPort, wsPort } = iot;
    await iot.close();
    await waitFor(
      () => !thermostat!.app.connection.connected && !hub!.app.connection.connected,
      'both devices to notice',
    );
    iot = await startTestIotBroker(issuer, { MQTT_PORT: String(mqttPort), MQTT_WS_PORT: String(wsPort) });
    const watched = await watch(iot, issuer);
    observer = watched.observer;

    await waitFor(
      () => thermostat!.app.connection.connected && hub!.app.connection.connected,
      'both devices to reconnect',
      15_000,
    );
    // The new broker has no session state: subscriptions were made again, so telemetry reaches the hub.
    const seenBefore = hub.app.health().hub?.thermostat.seenAt;
    await waitFor(() => hub!.app.health().hub?.thermostat.seenAt !== seenBefore, 'telemetry to reach the hub again');
    await waitFor(() => telemetry(watched.inbox).length > 0, 'telemetry after the restart');
    expect(thermostat.logs).toContainEqual(
      expect.objectContaining({ msg: 'disconnected from the broker; reconnecting' }),
    );
  });

  it('recovers when the auth-server is down past token expiry: retries with backoff, then reconnects', async () => {
    issuer.registerClient({ ...THERMOSTAT, tokenTtlSeconds: 3 });
    thermostat = await startDevice(thermostatEnv(issuer, iot.mqttUrl, { TOKEN_REFRESH_SKEW_SECONDS: '1' }));
    await waitFor(() => thermostat!.app.connection.connected, 'the thermostat to connect');
    await issuer.stop();
    await waitFor(() => !thermostat!.app.connection.connected, 'the session to end with the token', 10_000);
    await waitFor(
      () => thermostat!.logs.some((line) => line.msg === 'could not obtain an access token; will retry'),
      'a failed token request',
    );
    await issuer.resume();
    await waitFor(
      () => thermostat!.app.connection.connected,
      'the thermostat to reconnect once the auth-server is back',
      15_000,
    );
    expect(thermostat.logs).toContainEqual(
      expect.objectContaining({ msg: 'token refresh failed; retrying while the current token lasts' }),
    );
  });

  it('keeps retrying, without crashing, when its credentials are refused', async () => {
    thermostat = await startDevice(
      thermostatEnv(issuer, iot.mqttUrl, { CLIENT_SECRET: 'not-the-right-secret-at-all-0123456789' }),
    );
    await waitFor(
      () => thermostat!.logs.filter((line) => line.msg === 'could not obtain an access token; will retry').length >= 3,
      'three refused attempts',
    );
    expect(thermostat.logs.find((line) => line.msg === 'could not obtain an access token; will retry')).toMatchObject({
      permanent: true,
    });
    expect(JSON.stringify(thermostat.logs)).not.toContain('not-the-right-secret-at-all-0123456789');
    expect(thermostat.app.health()).toMatchObject({ broker: 'disconnected' });
  });
});
