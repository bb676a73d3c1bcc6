import { generateCredential } from '@tollgate/credentials';
import { IsInt, IsOptional, Matches } from 'class-validator';
import { Type } from 'class-transformer';
import { ConfigError, loadEnv } from './load-env.js';

class ExampleEnv {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  PORT: number = 80;

  @IsOptional()
  @Matches(/^postgres:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[a-z]+$/, { message: 'must be lower-case letters' })
  REGION?: string;
}

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadEnv(ExampleEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(ConfigError.name, () => {
  it('never prints the password of a URL it quotes', () => {
    const sut = errorOf({
      PORT: 'eighty',
      DATABASE_URL: 'postgresql+psycopg://app:hunter2@db:5432/app',
      REDIS_URL: 'http://:hunter2@redis:6379',
    });

    expect(sut.problems).toEqual([
      'PORT: PORT must be an integer number ("eighty")',
      'DATABASE_URL: must be a postgres:// URL ("postgresql+psycopg://app:***@db:5432/app")',
      'REDIS_URL: must be a redis:// URL ("http://:***@redis:6379")',
    ]);
    expect(sut.message).not.toContain('hunter2');
  });

  it('never prints a credential pasted into the wrong variable', () => {
    const key = generateCredential('api_key', { environment: 'live' });

    const sut = errorOf({ REGION: key });

    expect(sut.problems).toEqual(['REGION: must be lower-case letters ("tgk_live_[REDACTED]")']);
    expect(sut.message).not.toContain(key.slice(9));
  });

  it('redacts problems that loaders write themselves', () => {
    const sut = new ConfigError(['DATABASE_URL: unreachable at postgres://app:hunter2@db/app']);

    expect(sut.message).toBe('Invalid configuration:\n  - DATABASE_URL: unreachable at postgres://app:***@db/app');
  });
});
