import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { composeCommand } from '../../tools/compose/compose-command.mjs';
import { fillEnvExample, readEnvFile, writeEnvFile } from '../../tools/compose/env-file.mjs';
import { loadStackDemoConfig } from '../../tools/src/demo/stack.config.js';
import { loadSeedConfig } from '../../tools/src/seed/seed.config.js';
import { REPOSITORY_ROOT } from '../support/config-reference.js';
import {
  interpolate,
  readCompose,
  readRepositoryFile,
  serviceEnvironment,
  variableReferences,
} from './deployment-files.js';

const run = promisify(execFile);
const composeText = readRepositoryFile('docker-compose.yml');
const example = join(REPOSITORY_ROOT, '.env.example');
/** Every variable compose refuses to start without (`${NAME:?…}`). */
const required = [
  ...new Set(
    variableReferences(composeText)
      .filter((r) => r.operator === ':?')
      .map((r) => r.name),
  ),
];

/** `npm run compose:up`'s .env writer (tools/compose/env-file.mjs) and the script around it. */
describe('npm run compose:up', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-compose-up-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes .env readable by its owner only, with a value for every variable compose requires', () => {
    const path = join(dir, '.env');

    expect(writeEnvFile(path, example)).toBe('written');

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const env = readEnvFile(path);
    expect(required.length).toBeGreaterThan(10);
    expect(required.filter((name) => !env[name])).toEqual([]);
    expect(() => interpolate(composeText, env)).not.toThrow();
  });

  it('gives each secret a fresh value of 32 random bytes, safe in a connection URL, and keeps the other settings', () => {
    const env = readEnvFile((writeEnvFile(join(dir, '.env'), example), join(dir, '.env')));
    const values = required.map((name) => env[name]);
    expect(new Set(values).size).toBe(values.length);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { services } = readCompose(composeText);
    const database = new URL(serviceEnvironment(services['service-b'], env).DATABASE_URL);
    expect(database.password).toBe(env.SERVICE_B_DB_PASSWORD);
    expect(env).toMatchObject({ AUTH_ISSUER: 'http://localhost:7400', CONSOLE_ADMIN_EMAIL: 'admin@tollgate.local' });
    // What the seed and the demo load from it is valid for them (secrets long enough, passwords too).
    expect(() => loadSeedConfig(serviceEnvironment(services.seed, env))).not.toThrow();
    expect(() => loadStackDemoConfig(serviceEnvironment(services.demo, env))).not.toThrow();
  });

  it('never overwrites an existing .env', () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'POSTGRES_PASSWORD=the-one-in-the-database\n', { mode: 0o640 });

    expect(writeEnvFile(path, example)).toBe('exists');

    expect(readFileSync(path, 'utf8')).toBe('POSTGRES_PASSWORD=the-one-in-the-database\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('puts overrides in place of the example’s values (compose:smoke’s ports and issuer)', () => {
    const text = fillEnvExample('# c\nAUTH_ISSUER=http://localhost:7400\nREDIS_PASSWORD=\nLOG_LEVEL=info\n', {
      overrides: { AUTH_ISSUER: 'http://localhost:17400' },
      secret: () => 'S',
    });
    expect(text).toBe('# c\nAUTH_ISSUER=http://localhost:17400\nREDIS_PASSWORD=S\nLOG_LEVEL=info\n');
  });

  describe(composeCommand.name, () => {
    const answers =
      (plugin: string | null, standalone: string | null) =>
      (command: string): { status: number | null; stdout: string } => {
        const version = command === 'docker' ? plugin : standalone;
        return version === null ? { status: 1, stdout: '' } : { status: 0, stdout: `${version}\n` };
      };

    it('prefers the docker compose plugin, then a Compose v2 docker-compose', () => {
      expect(composeCommand(answers('2.29.7', '1.29.2'))).toEqual({
        command: 'docker',
        args: ['compose'],
        version: '2.29.7',
      });
      expect(composeCommand(answers(null, 'v2.20.0'))).toEqual({
        command: 'docker-compose',
        args: [],
        version: '2.20.0',
      });
    });

    it('refuses Compose v1 (it cannot read the file) and says what to install when there is none', () => {
      expect(() => composeCommand(answers(null, '1.29.2'))).toThrow(
        'docker-compose 1.29.2 is Compose v1, which cannot read docker-compose.yml',
      );
      expect(() => composeCommand(answers(null, null))).toThrow('install Docker and its Compose plugin');
    });
  });

  it('as a script: writes .env once, then runs `docker compose up -d --build` with the options given', async () => {
    // A copy of what the script needs, and a `docker` that records how it was called.
    mkdirSync(join(dir, 'tools', 'compose'), { recursive: true });
    for (const file of [
      'tools/compose-up.mjs',
      'tools/compose/env-file.mjs',
      'tools/compose/compose-command.mjs',
      '.env.example',
    ])
      copyFileSync(join(REPOSITORY_ROOT, file), join(dir, file));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const calls = join(dir, 'calls.log');
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\necho "$*" >> '${calls}'\nif [ "$1 $2" = "compose version" ]; then echo 2.29.7; fi\nexit 0\n`,
    );
    chmodSync(join(bin, 'docker'), 0o755);
    const script = (...args: string[]) =>
      run(process.execPath, [join(dir, 'tools', 'compose-up.mjs'), ...args], {
        env: { PATH: `${bin}:${process.env.PATH}` },
      });

    const first = await script('--profile', 'monitoring');
    const secrets = readFileSync(join(dir, '.env'), 'utf8');
    const second = await script();

    expect(first.stdout).toContain('✓ .env written from .env.example with a random value for every secret (mode 0600');
    expect(first.stdout).toContain('http://localhost:7400/console  (sign in as admin@tollgate.local;');
    expect(second.stdout).toContain('✓ .env exists: left as it is');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(secrets);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'compose version --short',
      'compose --profile monitoring up -d --build',
      'compose version --short',
      'compose up -d --build',
    ]);
  });
});
