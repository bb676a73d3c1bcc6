import { generateCredential } from '@tollgate/credentials';
import { ConfigError } from '@tollgate/platform';
import { join, resolve } from 'node:path';
import { loadServiceBConfig } from './service-b.config.js';

const ISSUER = 'https://auth.tollgate.local';
const SECRET = generateCredential('client_secret');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadServiceBConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadServiceBConfig.name, () => {
  it('fills every default from AUTH_ISSUER alone', () => {
    expect(loadServiceBConfig({ AUTH_ISSUER: ISSUER })).toEqual({
      port: 7401,
      host: '127.0.0.1',
      dataDir: resolve('data/service-b'),
      database: { type: 'sqlite', file: join(resolve('data/service-b'), 'service-b.sqlite') },
      auth: {
        issuer: ISSUER,
        resourceIndicator: 'https://crm.tollgate.local',
        client: undefined,
        acceptedKeyEnvironments: ['live', 'test'],
        introspectionCacheSeconds: 30,
        revocationFeedMaxStalenessSeconds: 10,
      },
      redisUrl: undefined,
      logLevel: 'info',
      trustProxy: undefined,
      openApi: true,
    });
  });

  it('reads every variable', () => {
    const sut = loadServiceBConfig({
      AUTH_ISSUER: 'http://localhost:7400',
      RESOURCE_INDICATOR: 'urn:tollgate:crm',
      CLIENT_ID: 'service-b',
      CLIENT_SECRET: SECRET,
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/crm',
      DATABASE_URL: 'postgres://crm:pw@db:5432/crm',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: '10.0.0.0/8',
      OPENAPI_ENABLED: 'false',
      API_KEY_ENVIRONMENTS: 'live',
      INTROSPECTION_CACHE_SECONDS: '5',
    });
    expect(sut).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/crm',
      database: { type: 'postgres', url: 'postgres://crm:pw@db:5432/crm' },
      auth: {
        issuer: 'http://localhost:7400',
        resourceIndicator: 'urn:tollgate:crm',
        client: { id: 'service-b', secret: SECRET },
        acceptedKeyEnvironments: ['live'],
        introspectionCacheSeconds: 5,
        revocationFeedMaxStalenessSeconds: 10,
      },
      redisUrl: 'redis://cache:6379',
      logLevel: 'warn',
      trustProxy: '10.0.0.0/8',
      openApi: false,
    });
  });

  it('accepts a SQLite DATABASE_URL', () => {
    expect(loadServiceBConfig({ AUTH_ISSUER: ISSUER, DATABASE_URL: 'sqlite:/tmp/crm.sqlite' }).database).toEqual({
      type: 'sqlite',
      file: '/tmp/crm.sqlite',
    });
  });

  it('lists every bad variable in one error, without showing secrets', () => {
    const problems = problemsOf({
      PORT: '70000',
      RESOURCE_INDICATOR: 'https://crm.example#fragment',
      DATABASE_URL: 'mysql://db/crm',
      REDIS_URL: 'http://cache',
      LOG_LEVEL: 'loud',
      CLIENT_SECRET: 'short-secret',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'AUTH_ISSUER',
      'CLIENT_ID and CLIENT_SECRET',
      'CLIENT_SECRET',
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
      'RESOURCE_INDICATOR',
    ]);
    expect(problems.find((problem) => problem.startsWith('AUTH_ISSUER'))).toContain('is required');
    expect(problems.join('\n')).not.toContain('short-secret');
  });

  it.each([
    ['valid', 'postgres://crm:hunter2@db:5432/crm', 'redis://:hunter2@cache:6379'],
    ['invalid', 'postgresql+psycopg://crm:hunter2@db:5432/crm', 'http://:hunter2@cache:6379'],
  ])(
    'never shows the passwords of %s DATABASE_URL and REDIS_URL next to a bad variable',
    (_case, databaseUrl, redisUrl) => {
      const problems = problemsOf({ AUTH_ISSUER: ISSUER, PORT: 'x', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl });

      expect(problems[0]).toMatch(/^PORT: /);
      expect(problems.join('\n')).not.toContain('hunter2');
    },
  );

  it.each(['ftp://auth.example', 'https://auth.example/', 'https://auth.example?tenant=1', 'not a url'])(
    'refuses AUTH_ISSUER %s',
    (issuer) => {
      expect(problemsOf({ AUTH_ISSUER: issuer }).map((problem) => problem.split(':')[0])).toEqual(['AUTH_ISSUER']);
    },
  );

  it('wants both introspection credentials or neither', () => {
    expect(problemsOf({ AUTH_ISSUER: ISSUER, CLIENT_ID: 'service-b' })).toEqual([
      'CLIENT_ID and CLIENT_SECRET: set both or neither',
    ]);
  });
});
