import { ConfigError } from '@tollgate/platform';
import { loadIotBrokerConfig } from './iot-broker.config.js';

describe(loadIotBrokerConfig.name, () => {
  it('applies the documented defaults', () => {
    expect(loadIotBrokerConfig({ AUTH_ISSUER: 'http://localhost:7400' })).toEqual({
      issuer: 'http://localhost:7400',
      resourceIndicator: 'https://iot.tollgate.local',
      host: '127.0.0.1',
      mqttPort: 7883,
      wsPort: 7884,
      logLevel: 'info',
      limits: {
        maxPacketSize: 65_536,
        connectTimeoutMs: 10_000,
        keepaliveLimitSeconds: 1200,
        connectionRatePerSecond: 10,
        connectionBurst: 20,
        maxConnections: 10_000,
        maxTopicLevels: 16,
        queueLimit: 42,
        drainTimeoutMs: 30_000,
        qos0BacklogBytes: 262_144,
        publishRates: {
          device: { messagesPerSecond: 100, bytesPerSecond: 524_288 },
          service: { messagesPerSecond: 1000, bytesPerSecond: 4_194_304 },
        },
      },
      healthShowsDevices: false,
    });
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadIotBrokerConfig({ MQTT_PORT: '70000', MAX_PACKET_SIZE: '12', RESOURCE_INDICATOR: 'iot' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const variable of ['AUTH_ISSUER', 'MQTT_PORT', 'MAX_PACKET_SIZE', 'RESOURCE_INDICATOR'])
      expect(problems).toContain(variable);
  });

  it('refuses the same port for TCP and WebSocket', () => {
    expect(() =>
      loadIotBrokerConfig({ AUTH_ISSUER: 'http://localhost:7400', MQTT_PORT: '7000', MQTT_WS_PORT: '7000' }),
    ).toThrow(/MQTT_PORT and MQTT_WS_PORT/);
  });
});
