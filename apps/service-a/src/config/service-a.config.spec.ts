import { generateCredential } from '@tollgate/credentials';
import { ConfigError } from '@tollgate/platform';
import { resolve } from 'node:path';
import { loadServiceAConfig } from './service-a.config.js';

const REQUIRED = {
  AUTH_ISSUER: 'http://127.0.0.1:7400',
  CLIENT_ID: 'service-a',
  CLIENT_SECRET: generateCredential('client_secret'),
  SERVICE_B_URL: 'http://127.0.0.1:7401',
};

describe(loadServiceAConfig.name, () => {
  it('applies the defaults', () => {
    const sut = loadServiceAConfig(REQUIRED);

    expect(sut).toEqual({
      port: 7402,
      host: '127.0.0.1',
      dataDir: resolve('data/service-a'),
      database: { type: 'sqlite', file: resolve('data/service-a/service-a.sqlite') },
      auth: {
        issuer: 'http://127.0.0.1:7400',
        clientId: 'service-a',
        clientSecret: REQUIRED.CLIENT_SECRET,
        authMethod: 'client_secret_basic',
        resourceIndicator: 'https://marketing.tollgate.local',
      },
      serviceB: {
        url: 'http://127.0.0.1:7401',
        resource: 'https://crm.tollgate.local',
        scope: 'contacts:read',
        timeoutMs: 10_000,
        tokenBinding: 'none',
      },
      syncIntervalSeconds: 300,
      logLevel: 'info',
      trustProxy: undefined,
    });
  });

  it('reads every variable', () => {
    const sut = loadServiceAConfig({
      ...REQUIRED,
      PORT: '8000',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/service-a',
      DATABASE_URL: 'postgres://app@db:5432/service_a',
      CLIENT_AUTH_METHOD: 'client_secret_post',
      RESOURCE_INDICATOR: 'urn:example:marketing',
      SERVICE_B_RESOURCE: 'https://crm.example.com',
      SYNC_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: '10.0.0.0/8',
    });

    expect(sut).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      database: { type: 'postgres', url: 'postgres://app@db:5432/service_a' },
      auth: { authMethod: 'client_secret_post', resourceIndicator: 'urn:example:marketing' },
      serviceB: { resource: 'https://crm.example.com' },
      syncIntervalSeconds: 0,
      logLevel: 'debug',
      trustProxy: '10.0.0.0/8',
    });
  });

  it('lists every missing or bad variable at once, without showing the secret', () => {
    const error = (() => {
      try {
        loadServiceAConfig({
          CLIENT_SECRET: '',
          AUTH_ISSUER: 'http://as.example/',
          RESOURCE_INDICATOR: 'https://marketing.example#api',
          SYNC_INTERVAL_SECONDS: '-1',
          SERVICE_B_URL: 'ftp://crm',
        });
      } catch (e) {
        return e;
      }
    })() as ConfigError;

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([
      'SERVICE_B_URL: must be an http(s) URL ("ftp://crm")',
      'SYNC_INTERVAL_SECONDS: SYNC_INTERVAL_SECONDS must not be less than 0 ("-1")',
      'AUTH_ISSUER: must not end with "/" nor carry a query or fragment ("http://as.example/")',
      'RESOURCE_INDICATOR: must be an absolute URI without a fragment ("https://marketing.example#api")',
      'CLIENT_ID: is required (unset)',
      'CLIENT_SECRET: is required (unset)',
    ]);
    expect(() => loadServiceAConfig({ ...REQUIRED, CLIENT_SECRET: 'x'.repeat(600) })).toThrow(
      /CLIENT_SECRET: .*\(set \(hidden\)\)/,
    );
  });
});
