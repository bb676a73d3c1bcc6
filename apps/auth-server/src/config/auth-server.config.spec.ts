import { ConfigError } from '@tollgate/platform';
import { loadAuthServerConfig } from './auth-server.config.js';

describe(loadAuthServerConfig.name, () => {
  const base = { DATA_DIR: '/tmp/tollgate-config-spec', KEY_ENCRYPTION_SECRET: 'k'.repeat(32) };

  it('gives sessions and PATs their defaults', () => {
    const sut = loadAuthServerConfig(base);
    expect(sut.sessions).toEqual({ idleTtlSeconds: 1800, absoluteTtlSeconds: 43_200, secureCookie: false });
    expect(sut.pats).toEqual({
      maxLifetimeDays: 90,
      expiryWarningDays: 7,
      expiryCheckIntervalSeconds: 3600,
      expiryWebhook: undefined,
    });
  });

  it('makes the session cookie Secure when the issuer is https', () => {
    expect(loadAuthServerConfig({ ...base, AUTH_ISSUER: 'https://auth.example.com' }).sessions.secureCookie).toBe(true);
  });

  it('reads the expiry webhook', () => {
    const sut = loadAuthServerConfig({
      ...base,
      PAT_EXPIRY_WEBHOOK_URL: 'https://hooks.example.com/tollgate',
      PAT_EXPIRY_WEBHOOK_SECRET: 's'.repeat(24),
      PAT_MAX_LIFETIME_DAYS: '366',
    });
    expect(sut.pats).toMatchObject({
      maxLifetimeDays: 366,
      expiryWebhook: { url: 'https://hooks.example.com/tollgate', secret: 's'.repeat(24) },
    });
  });

  it('names every bad session and PAT variable at once', () => {
    const bad = {
      ...base,
      SESSION_IDLE_TTL: '10',
      PAT_MAX_LIFETIME_DAYS: '0',
      PAT_EXPIRY_WEBHOOK_URL: 'ftp://x',
      PAT_EXPIRY_WEBHOOK_SECRET: 'short',
    };
    expect(() => loadAuthServerConfig(bad)).toThrow(ConfigError);
    try {
      loadAuthServerConfig(bad);
    } catch (error) {
      const names = (error as ConfigError).problems.map((problem) => problem.split(':')[0]);
      expect(names.sort()).toEqual([
        'PAT_EXPIRY_WEBHOOK_SECRET',
        'PAT_EXPIRY_WEBHOOK_URL',
        'PAT_MAX_LIFETIME_DAYS',
        'SESSION_IDLE_TTL',
      ]);
    }
  });

  it('refuses a webhook secret without a URL, and an idle timeout longer than the session', () => {
    expect(() => loadAuthServerConfig({ ...base, PAT_EXPIRY_WEBHOOK_SECRET: 's'.repeat(24) })).toThrow(
      /PAT_EXPIRY_WEBHOOK_SECRET: set PAT_EXPIRY_WEBHOOK_URL/,
    );
    expect(() => loadAuthServerConfig({ ...base, SESSION_IDLE_TTL: '7200', SESSION_ABSOLUTE_TTL: '3600' })).toThrow(
      /SESSION_IDLE_TTL: must not exceed SESSION_ABSOLUTE_TTL/,
    );
  });

  it('reads the IoT broker health URL, off by default', () => {
    expect(loadAuthServerConfig(base).iotBrokerHealthUrl).toBeUndefined();
    expect(
      loadAuthServerConfig({ ...base, IOT_BROKER_HEALTH_URL: 'http://127.0.0.1:7884/health' }).iotBrokerHealthUrl,
    ).toBe('http://127.0.0.1:7884/health');
    expect(() => loadAuthServerConfig({ ...base, IOT_BROKER_HEALTH_URL: 'mqtt://127.0.0.1:1883' })).toThrow(
      /IOT_BROKER_HEALTH_URL/,
    );
  });

  it('signs on the event loop unless SIGN_ON_THREAD_POOL is set', () => {
    expect(loadAuthServerConfig(base).signOnThreadPool).toBe(false);
    expect(loadAuthServerConfig({ ...base, SIGN_ON_THREAD_POOL: 'true' }).signOnThreadPool).toBe(true);
    expect(loadAuthServerConfig({ ...base, SIGN_ON_THREAD_POOL: '0' }).signOnThreadPool).toBe(false);
  });

  it('needs the mTLS endpoint for a client CA, and a readable CA file', () => {
    expect(() => loadAuthServerConfig({ ...base, TLS_CLIENT_CA_FILE: '/etc/ca.pem' })).toThrow(
      /TLS_CLIENT_CA_FILE: client certificates are only asked for at MTLS_PORT/,
    );
    expect(() =>
      loadAuthServerConfig({
        ...base,
        MTLS_PORT: '7403',
        TLS_CERT_FILE: '/no/cert.pem',
        TLS_KEY_FILE: '/no/key.pem',
        TLS_CLIENT_CA_FILE: '/no/ca.pem',
      }),
    ).toThrow(/TLS_CLIENT_CA_FILE: cannot read \/no\/ca.pem/);
  });
});
