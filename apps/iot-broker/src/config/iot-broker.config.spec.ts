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
    expect(() =>
      loadIotBrokerConfig({ AUTH_ISSUER: 'http://localhost:7400', MQTTS_PORT: '8883', MQTT_WSS_PORT: '8883' }),
    ).toThrow(/MQTTS_PORT and MQTT_WSS_PORT: must differ/);
  });

  it('needs a certificate and key for MQTT_WSS_PORT alone too', () => {
    expect(() => loadIotBrokerConfig({ AUTH_ISSUER: 'http://localhost:7400', MQTT_WSS_PORT: '8884' })).toThrow(
      /MQTT_WSS_PORT: set TLS_CERT_FILE and TLS_KEY_FILE/,
    );
  });

  it('needs a certificate and key for MQTTS_PORT, and a CA to require client certificates', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadIotBrokerConfig({ AUTH_ISSUER: 'http://localhost:7400', MQTTS_PORT: '8883', ...env });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({})).toMatch(/MQTTS_PORT: set TLS_CERT_FILE and TLS_KEY_FILE/);
    expect(problems({ TLS_CLIENT_CERTIFICATE: 'required' })).toMatch(/TLS_CLIENT_CERTIFICATE: required needs/);
    expect(problems({ TLS_CERT_FILE: '/no/cert.pem', TLS_KEY_FILE: '/no/key.pem' })).toMatch(
      /TLS_CERT_FILE: cannot read \/no\/cert.pem \(ENOENT\)[\s\S]*TLS_KEY_FILE: cannot read/,
    );
  });
});
