import { ConfigError } from '@tollgate/platform';
import { loadDevicesConfig } from './devices.config.js';

const base = {
  CLIENT_ID: 'thermostat-1',
  CLIENT_SECRET: 'an-operator-chosen-secret-0123456789',
  AUTH_ISSUER: 'http://localhost:7400',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadDevicesConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe(loadDevicesConfig.name, () => {
  it('applies the thermostat defaults', () => {
    expect(loadDevicesConfig({ ...base, DEVICE_ROLE: 'thermostat' })).toEqual({
      role: 'thermostat',
      device: {
        clientId: 'thermostat-1',
        clientSecret: 'an-operator-chosen-secret-0123456789',
        issuer: 'http://localhost:7400',
        brokerUrls: ['mqtt://127.0.0.1:7883'],
        brokerResource: 'https://iot.tollgate.local',
        tokenScope: undefined,
        tokenAuthMethod: 'client_secret_basic',
        tokenRefreshSkewSeconds: 60,
        keepaliveSeconds: 30,
        reconnect: { minDelayMs: 500, maxDelayMs: 30_000 },
      },
      host: '127.0.0.1',
      healthPort: 7886,
      logLevel: 'info',
      thermostat: {
        tickMs: 1000,
        simulatedSecondsPerTick: 60,
        telemetryIntervalMs: 5000,
        initialTemperature: 18,
        outsideTemperature: 5,
        initialSetpoint: 19,
      },
    });
  });

  it('applies the hub defaults and parses its schedule', () => {
    const config = loadDevicesConfig({
      ...base,
      CLIENT_ID: 'hub-1',
      DEVICE_ROLE: 'hub',
      HUB_THERMOSTAT_ID: 'thermostat-1',
      HEALTH_PORT: '0',
    });
    expect(config).toMatchObject({
      role: 'hub',
      healthPort: 0,
      hub: { thermostatId: 'thermostat-1', reconcileIntervalMs: 30_000, ackTimeoutMs: 10_000, commandTtlSeconds: 600 },
    });
    expect(config.role === 'hub' && config.hub.schedule.entries.map((e) => e.minuteOfDay)).toEqual([390, 1320]);
  });

  it('lists every bad variable at once, never showing the secret', () => {
    const problems = problemsOf({
      DEVICE_ROLE: 'fridge',
      CLIENT_ID: 'a/b',
      CLIENT_SECRET: 'short',
      BROKER_URL: 'http://broker',
    });
    for (const variable of ['DEVICE_ROLE', 'CLIENT_ID', 'CLIENT_SECRET', 'AUTH_ISSUER', 'BROKER_URL'])
      expect(problems).toContain(variable);
    expect(problems).not.toContain('short');
  });

  it('requires the thermostat id of a hub, and a valid schedule and time zone', () => {
    expect(problemsOf({ ...base, DEVICE_ROLE: 'hub' })).toContain('HUB_THERMOSTAT_ID');
    expect(problemsOf({ ...base, DEVICE_ROLE: 'hub', HUB_THERMOSTAT_ID: 't1', HUB_SCHEDULE: '25:00=20' })).toContain(
      'HUB_SCHEDULE: "25:00=20" is not HH:MM',
    );
    expect(
      problemsOf({ ...base, DEVICE_ROLE: 'hub', HUB_THERMOSTAT_ID: 't1', HUB_TIME_ZONE: 'Nowhere/Land' }),
    ).toContain('HUB_TIME_ZONE');
  });

  it('refuses a minimum reconnect delay above the maximum', () => {
    expect(
      problemsOf({
        ...base,
        DEVICE_ROLE: 'thermostat',
        RECONNECT_MIN_DELAY_MS: '5000',
        RECONNECT_MAX_DELAY_MS: '1000',
      }),
    ).toContain('RECONNECT_MIN_DELAY_MS');
  });
});
