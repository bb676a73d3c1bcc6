import { generateCredential } from '@tollgate/credentials';
import { IsOptional, Matches } from 'class-validator';
import {
  ClientCredentialsEnv,
  composeEnv,
  DatabaseEnv,
  HttpServerEnv,
  httpServerSettings,
  IssuerEnv,
  OpenApiEnv,
  RedisEnv,
  ResourceServerEnv,
} from './env-pieces.js';
import { IsClientSecret, Required } from './env-rules.js';
import { ConfigError, envVariableNames, type Environment, loadEnv } from './load-env.js';

class ApiEnv extends composeEnv(
  ResourceServerEnv({ resourceIndicator: 'https://api.example', client: { required: false } }),
  HttpServerEnv({ port: 7499 }),
  DatabaseEnv({ dataDir: 'data/api' }),
  RedisEnv(),
  OpenApiEnv(),
) {
  @IsOptional()
  @Matches(/^[a-z]+$/, { message: 'must be lower-case letters' })
  REGION?: string;
}

class WorkerEnv extends composeEnv(IssuerEnv(), ClientCredentialsEnv({ required: true })) {
  @Required()
  @Matches(/^[a-z]+$/, { message: 'must be lower-case letters' })
  QUEUE: string;
}

class SecretEnv {
  @IsOptional()
  @IsClientSecret()
  CLIENT_SECRET?: string;
}

const ISSUER = 'https://auth.example';

/** The problems loadEnv reports, or none. */
function problemsOf(schema: new () => object, env: Environment): string[] {
  try {
    loadEnv(schema, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe(composeEnv.name, () => {
  it("gives one class every piece's variables, with their defaults and conversions", () => {
    const sut = loadEnv(ApiEnv, { AUTH_ISSUER: ISSUER, PORT: '8080', OPENAPI_ENABLED: 'false', REGION: 'eu' });

    expect({ ...sut }).toEqual({
      AUTH_ISSUER: ISSUER,
      AUTH_INTERNAL_URL: undefined,
      RESOURCE_INDICATOR: 'https://api.example',
      CLIENT_ID: undefined,
      CLIENT_SECRET: undefined,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      PORT: 8080,
      TRUST_PROXY: undefined,
      DATA_DIR: 'data/api',
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      OPENAPI_ENABLED: false,
      REGION: 'eu',
    });
    expect(envVariableNames(ApiEnv)).toEqual([
      'AUTH_INTERNAL_URL',
      'AUTH_ISSUER',
      'CLIENT_ID',
      'CLIENT_SECRET',
      'DATABASE_URL',
      'DATA_DIR',
      'HOST',
      'LOG_LEVEL',
      'OPENAPI_ENABLED',
      'PORT',
      'REDIS_URL',
      'REGION',
      'RESOURCE_INDICATOR',
      'TRUST_PROXY',
    ]);
  });

  it('keeps each composition to itself: defaults and rules of one app do not leak into another', () => {
    expect(
      loadEnv(WorkerEnv, { AUTH_ISSUER: ISSUER, CLIENT_ID: 'worker', CLIENT_SECRET: 'w'.repeat(32), QUEUE: 'jobs' }),
    ).not.toHaveProperty('PORT');
    expect(problemsOf(WorkerEnv, { AUTH_ISSUER: ISSUER, QUEUE: 'jobs' })).toEqual([
      'CLIENT_ID: is required (unset)',
      'CLIENT_SECRET: is required (unset)',
    ]);
    expect(loadEnv(ApiEnv, { AUTH_ISSUER: ISSUER }).CLIENT_ID).toBeUndefined();
  });
});

describe(httpServerSettings.name, () => {
  it('keeps what the server needs of HttpServerEnv, TRUST_PROXY parsed', () => {
    expect(httpServerSettings(loadEnv(ApiEnv, { AUTH_ISSUER: ISSUER }))).toEqual({
      port: 7499,
      host: '127.0.0.1',
      logLevel: 'info',
      trustProxy: undefined,
    });
    expect(
      httpServerSettings(
        loadEnv(ApiEnv, { AUTH_ISSUER: ISSUER, TRUST_PROXY: 'true', HOST: '0.0.0.0', LOG_LEVEL: 'warn' }),
      ),
    ).toEqual({ port: 7499, host: '0.0.0.0', logLevel: 'warn', trustProxy: true });
    expect(httpServerSettings(loadEnv(ApiEnv, { AUTH_ISSUER: ISSUER, TRUST_PROXY: '10.0.0.0/8' })).trustProxy).toBe(
      '10.0.0.0/8',
    );
  });
});

describe('required variables', () => {
  it('reports an unset required variable as "is required" only, not by its format rules', () => {
    expect(problemsOf(WorkerEnv, { CLIENT_ID: 'worker', CLIENT_SECRET: 'w'.repeat(32) })).toEqual([
      'QUEUE: is required (unset)',
      'AUTH_ISSUER: is required (unset)',
    ]);
  });

  it('counts an empty value as unset', () => {
    expect(
      problemsOf(WorkerEnv, { AUTH_ISSUER: '', CLIENT_ID: 'worker', CLIENT_SECRET: 'w'.repeat(32), QUEUE: '' }),
    ).toEqual(['QUEUE: is required (unset)', 'AUTH_ISSUER: is required (unset)']);
  });

  it('checks the format of a required variable once it is set', () => {
    expect(
      problemsOf(WorkerEnv, {
        AUTH_ISSUER: `${ISSUER}/`,
        CLIENT_ID: 'worker',
        CLIENT_SECRET: 'w'.repeat(32),
        QUEUE: 'Jobs',
      }),
    ).toEqual([
      'QUEUE: must be lower-case letters ("Jobs")',
      `AUTH_ISSUER: must not end with "/" nor carry a query or fragment ("${ISSUER}/")`,
    ]);
  });
});

describe('client credentials: both or neither', () => {
  it.each([
    ['neither', {}],
    ['both', { CLIENT_ID: 'api', CLIENT_SECRET: generateCredential('client_secret') }],
  ])('accepts %s', (_case, credentials) => {
    expect(loadEnv(ApiEnv, { AUTH_ISSUER: ISSUER, ...credentials })).toBeInstanceOf(ApiEnv);
  });

  it.each([
    ['an id without a secret', { CLIENT_ID: 'api' }],
    ['a secret without an id', { CLIENT_SECRET: generateCredential('client_secret') }],
    ['an id with an empty secret', { CLIENT_ID: 'api', CLIENT_SECRET: '' }],
  ])('refuses %s', (_case, credentials) => {
    expect(problemsOf(ApiEnv, { AUTH_ISSUER: ISSUER, ...credentials })).toEqual([
      'CLIENT_ID and CLIENT_SECRET: set both or neither',
    ]);
  });
});

describe(IsClientSecret.name, () => {
  const generated = generateCredential('client_secret');
  const brokenChecksum = `${generated.slice(0, -1)}${generated.endsWith('0') ? '1' : '0'}`;

  it.each([
    ['a secret the auth-server generated', generated],
    ['an operator-chosen secret of 32 characters', 'o'.repeat(32)],
    ['an operator-chosen secret of 512 characters', 'o'.repeat(512)],
  ])('accepts %s', (_case, secret) => {
    expect(loadEnv(SecretEnv, { CLIENT_SECRET: secret }).CLIENT_SECRET).toBe(secret);
  });

  it.each([
    ['an operator-chosen secret of 31 characters', 'o'.repeat(31)],
    ['an operator-chosen secret of 513 characters', 'o'.repeat(513)],
    ['a generated secret cut short', generated.slice(0, 40)],
    ['a generated secret with a typo (its checksum fails)', brokenChecksum],
    ['an API key', generateCredential('api_key', { environment: 'live' })],
    ['a personal access token', generateCredential('pat')],
  ])('refuses %s, without showing it', (_case, secret) => {
    const problems = problemsOf(SecretEnv, { CLIENT_SECRET: secret });

    expect(problems).toEqual([
      'CLIENT_SECRET: must be a tgs_ client secret as the auth-server generates it, or an operator-chosen secret of 32–512 characters (set (hidden))',
    ]);
  });
});

describe('one error for the whole environment', () => {
  it('lists every bad variable and every half-set pair at once, secrets hidden', () => {
    const secret = generateCredential('client_secret').slice(0, 30);
    let error: unknown;
    try {
      loadEnv(ApiEnv, {
        PORT: '70000',
        LOG_LEVEL: 'loud',
        CLIENT_SECRET: secret,
        DATABASE_URL: 'mysql://app:hunter2@db/app',
        REDIS_URL: 'http://:hunter2@cache:6379',
        RESOURCE_INDICATOR: 'https://api.example#v1',
        REGION: 'EU',
      });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'AUTH_ISSUER',
      'CLIENT_ID and CLIENT_SECRET',
      'CLIENT_SECRET',
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
      'REGION',
      'RESOURCE_INDICATOR',
    ]);
    expect(problems).toContain('AUTH_ISSUER: is required (unset)');
    expect(problems).toContain('DATABASE_URL: must be sqlite:<file> or a postgres:// URL ("mysql://app:***@db/app")');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain(secret.slice(4));
  });
});
