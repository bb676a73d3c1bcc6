import { envVariableNames } from '@tollgate/platform';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { APP_ENVIRONMENTS, type AppEnvironment, REPOSITORY_ROOT } from '../support/config-reference.js';
import {
  builtFile,
  type ComposeFile,
  type ComposeService,
  dependencies,
  execForm,
  interpolate,
  interpolateDocument,
  isSecretName,
  nestProjects,
  publishedPorts,
  readCompose,
  readDockerfile,
  readDotenv,
  readRepositoryFile,
  serviceEnvironment,
  variableReferences,
} from './deployment-files.js';
import { SeedEnv } from '../../tools/src/seed/seed.env.js';
import { CertificatesEnv } from '../../tools/src/certificates/certificates.env.js';
import { DevelopmentCa } from '../../tools/src/certificates/development-ca.js';
import { StackDemoEnv } from '../../tools/src/demo/demo.env.js';
import { loadStackDemoConfig } from '../../tools/src/demo/stack.config.js';

const run = promisify(execFile);

const composeText = readRepositoryFile('docker-compose.yml');
const { services } = readCompose(composeText);
const packageJson = JSON.parse(readRepositoryFile('package.json')) as {
  scripts: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const dotenvExample = readDotenv(readRepositoryFile('.env.example'));

/** What compose interpolates with in these tests: .env.example, each empty secret filled with a fresh random value. */
const composeEnv: Record<string, string> = Object.fromEntries(
  dotenvExample.map(([name, value]) => [
    name,
    value === '' && isSecretName(name) ? randomBytes(32).toString('hex') : value,
  ]),
);

/** The one-shot provisioning command and its environment contract (every variable of SeedEnv but its wait tuning). */
const SEED_COMMAND = ['node', 'dist/tools/tools/src/seed/main.js'];
const SEED_VARIABLES = envVariableNames(SeedEnv).filter((variable) => variable !== 'SEED_WAIT_SECONDS');

/** The tools compose runs (one-shot, or on demand for the demo profile), by the file each runs, with their env class. */
const TOOLS: Record<string, { service: string; schema: new () => object; script?: string }> = {
  'dist/tools/tools/src/seed/main.js': { service: 'seed', schema: SeedEnv, script: 'seed' },
  'dist/tools/tools/src/certificates/main.js': { service: 'certificates', schema: CertificatesEnv },
  'dist/tools/tools/src/demo/stack-main.js': { service: 'demo', schema: StackDemoEnv, script: 'demo:stack' },
};

/** The variables that set where each app listens, and the one its health endpoint answers on. */
const LISTENING = {
  'auth-server': { ports: ['PORT', 'MTLS_PORT', 'METRICS_PORT'], health: 'PORT' },
  'service-b': { ports: ['PORT', 'METRICS_PORT'], health: 'PORT' },
  'service-a': { ports: ['PORT', 'METRICS_PORT'], health: 'PORT' },
  'iot-broker': { ports: ['MQTT_PORT', 'MQTT_WS_PORT', 'MQTTS_PORT', 'METRICS_PORT'], health: 'MQTT_WS_PORT' },
  devices: { ports: ['HEALTH_PORT'], health: 'HEALTH_PORT' },
} as const satisfies Record<string, { ports: string[]; health: string }>;
const THIRD_PARTY_PORTS: Record<string, number[]> = {
  postgres: [5432],
  redis: [6379],
  prometheus: [9090],
  grafana: [3000],
};

/** Services that run once and exit (or, for the demo, run the story and exit). */
const ONE_SHOT = ['seed', 'certificates', 'demo'];

/** Ports a developer machine commonly has taken (PostgreSQL, Redis, Mosquitto, MySQL, RabbitMQ, NATS). */
const TAKEN_PORTS = [5432, 6379, 1883, 3306, 5672, 4222];

const HEALTHCHECK_SCRIPT = 'docker/healthcheck.mjs';

/** The files docker-compose's certificates service writes in /tls, made here for the loaders that read them. */
const tlsDir = mkdtempSync(join(tmpdir(), 'tollgate-compose-tls-'));
{
  const ca = await DevelopmentCa.create('compose test CA');
  const server = await ca.issue({ commonName: 'localhost', usage: 'server', dnsNames: ['localhost'] });
  writeFileSync(join(tlsDir, 'ca.crt'), ca.certificatePem);
  writeFileSync(join(tlsDir, 'server.crt'), server.certificatePem);
  writeFileSync(join(tlsDir, 'server.key'), server.privateKeyPem);
}
afterAll(() => rmSync(tlsDir, { recursive: true, force: true }));

/** A container's environment with its /tls/… files where this machine has them. */
function withTlsFiles(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value.startsWith('/tls/') ? join(tlsDir, basename(value)) : value,
    ]),
  );
}

/** Services that run this repository's image (the others are PostgreSQL and Redis). */
const tollgateServices = Object.entries(services).filter(([, service]) => service.build !== undefined);

function command(service: ComposeService): string[] {
  if (!Array.isArray(service.command)) throw new Error('use the exec (list) form of `command:`');
  return service.command;
}

function isSeed(service: ComposeService): boolean {
  return JSON.stringify(service.command) === JSON.stringify(SEED_COMMAND);
}

function isTool(service: ComposeService): boolean {
  return Array.isArray(service.command) && service.command[1] in TOOLS;
}

/** The app a service runs (from the project whose build writes its command's file). */
function appOf(service: ComposeService): AppEnvironment {
  const [, file] = command(service);
  const project = builtFile(file)?.project;
  const app = APP_ENVIRONMENTS.find((environment) => environment.app === project);
  if (!app) throw new Error(`${file} is not written by the build of any app`);
  return app;
}

const appServices = tollgateServices
  .filter(([, service]) => !isTool(service))
  .map(([name, service]) => ({ name, service, app: appOf(service) }));

function environmentOf(name: string): Record<string, string> {
  return serviceEnvironment(services[name], composeEnv);
}

/** A variable's value in a service, or its app's default when the service does not set it. */
function settingOf(name: string, variable: string): string | undefined {
  const value = environmentOf(name)[variable];
  if (value !== undefined) return value;
  const app = appServices.find((entry) => entry.name === name)?.app;
  const defaults = app ? (new app.schema() as Record<string, unknown>) : {};
  return defaults[variable] === undefined ? undefined : String(defaults[variable]);
}

function listeningPorts(name: string): number[] {
  if (THIRD_PARTY_PORTS[name]) return THIRD_PARTY_PORTS[name];
  const app = appServices.find((entry) => entry.name === name)?.app.app as keyof typeof LISTENING | undefined;
  if (!app) return [];
  return LISTENING[app].ports.map((variable) => Number(settingOf(name, variable)));
}

/** ENV of the Dockerfile's runtime stage: every container starts with it. */
function imageEnvironment(): Record<string, string> {
  const runtime = readDockerfile().at(-1)!;
  const environment: Record<string, string> = {};
  for (const instruction of runtime.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const match of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
      environment[match[1]] = match[2].replace(/^"|"$/g, '');
  }
  return environment;
}

/** Services `name` waits for, directly or not. */
function waitsFor(name: string, seen = new Set<string>()): Set<string> {
  for (const dependency of Object.keys(dependencies(services[name]))) {
    if (seen.has(dependency)) continue;
    seen.add(dependency);
    waitsFor(dependency, seen);
  }
  return seen;
}

describe('docker-compose.yml', () => {
  it('runs each app with node on the file `npm run build` writes, the one its start script runs', () => {
    expect(appServices.length).toBeGreaterThan(0);
    for (const { name, service, app } of appServices) {
      const [executable, file, ...rest] = command(service);
      expect({ service: name, executable, rest }).toEqual({ service: name, executable: 'node', rest: [] });
      expect(builtFile(file), `${name}: ${file}`).toEqual({ project: app.app, source: `apps/${app.app}/src/main.ts` });
      expect(packageJson.scripts[`start:${app.app}`], `${name}: npm run start:${app.app}`).toBe(`node ${file}`);
    }
    const started = new Set(appServices.map(({ app }) => app.app));
    // The CLI is run by people on their machines, not by compose.
    const commandLineApps = ['apps/cli'];
    const applications = Object.entries(nestProjects()).filter(
      ([, project]) =>
        project.type === 'application' && project.root.startsWith('apps/') && !commandLineApps.includes(project.root),
    );
    expect(applications.map(([project]) => project).filter((project) => !started.has(project))).toEqual([]);
  });

  it('runs the seed with the provisioning command of branch demo, once', () => {
    const seeds = tollgateServices.filter(([, service]) => isSeed(service));
    expect(seeds.map(([name]) => name)).toEqual(['seed']);
    expect(services.seed.restart).toBe('no');
    expect(services.seed.healthcheck).toBeUndefined();
  });

  it('runs the seed from the file the build writes, as `npm run seed` does', () => {
    expect(builtFile(SEED_COMMAND[1])).toEqual({ project: expect.any(String), source: 'tools/src/seed/main.ts' });
    expect(packageJson.scripts.seed).toBe(SEED_COMMAND.join(' '));
  });

  it('runs each tool (seed, certificates, the demo) once, from the file the build writes, as its npm script does', () => {
    const tools = tollgateServices.filter(([, service]) => isTool(service));
    expect(tools.map(([name]) => name).sort()).toEqual([...ONE_SHOT].sort());
    for (const [name, service] of tools) {
      const [executable, file, ...rest] = command(service);
      const tool = TOOLS[file];
      expect({ executable, rest, service: tool.service }, name).toEqual({
        executable: 'node',
        rest: [],
        service: name,
      });
      expect(builtFile(file), `${name}: ${file}`).toEqual({
        project: 'tools',
        source: file.replace('dist/tools/', '').replace(/\.js$/, '.ts'),
      });
      if (tool.script) expect(packageJson.scripts[tool.script], `npm run ${tool.script}`).toBe(`node ${file}`);
      expect(service.restart, name).toBe('no');
      expect(service.healthcheck, name).toBeUndefined();
    }
    // The demo runs only when asked for: `docker compose --profile demo run --rm demo`.
    expect(services.demo.profiles).toEqual(['demo']);
  });

  it('gives the certificates service and the demo only variables they validate, and the demo all it needs', () => {
    for (const name of ['certificates', 'demo']) {
      const file = command(services[name])[1];
      const accepted = envVariableNames(TOOLS[file].schema);
      expect(
        Object.keys(environmentOf(name)).filter((variable) => !accepted.includes(variable)),
        `${name} sets variables ${TOOLS[file].schema.name} ignores`,
      ).toEqual([]);
    }
    expect(() => loadStackDemoConfig(environmentOf('demo'))).not.toThrow();
  });

  it('sets only variables the app validates (the seed: its contract, in full)', () => {
    for (const { name, app } of appServices) {
      const accepted = envVariableNames(app.schema);
      expect(
        Object.keys(environmentOf(name)).filter((variable) => !accepted.includes(variable)),
        `${name} sets variables ${app.schema.name} ignores`,
      ).toEqual([]);
    }
    expect(Object.keys(environmentOf('seed')).sort()).toEqual([...SEED_VARIABLES].sort());
  });

  it("gives each app an environment its own loader accepts, the image's ENV included (the TLS files the certificates service writes)", () => {
    for (const { name, app } of appServices) {
      expect(() => app.load(withTlsFiles({ ...imageEnvironment(), ...environmentOf(name) })), name).not.toThrow();
    }
  });

  it('refuses to start while any secret is unset, naming it', () => {
    const secrets = dotenvExample.map(([name]) => name).filter(isSecretName);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      const env = { ...composeEnv, [secret]: '' };
      expect(() => interpolate(composeText, env), secret).toThrow(new RegExp(`^${secret}: set ${secret} in \\.env`));
    }
  });

  it('hands every app the client and resource the seed provisions for it', () => {
    const seed = environmentOf('seed');
    const expected: [service: string, variable: string, seedVariable: string][] = [
      ['auth-server', 'BOOTSTRAP_ADMIN_CLIENT_ID', 'BOOTSTRAP_ADMIN_CLIENT_ID'],
      ['auth-server', 'BOOTSTRAP_ADMIN_CLIENT_SECRET', 'BOOTSTRAP_ADMIN_CLIENT_SECRET'],
      ['service-b', 'CLIENT_ID', 'SERVICE_B_CLIENT_ID'],
      ['service-b', 'CLIENT_SECRET', 'SERVICE_B_CLIENT_SECRET'],
      ['service-b', 'RESOURCE_INDICATOR', 'CRM_RESOURCE'],
      ['service-a', 'CLIENT_ID', 'SERVICE_A_CLIENT_ID'],
      ['service-a', 'CLIENT_SECRET', 'SERVICE_A_CLIENT_SECRET'],
      ['service-a', 'SERVICE_B_RESOURCE', 'CRM_RESOURCE'],
      ['service-a', 'RESOURCE_INDICATOR', 'MARKETING_RESOURCE'],
      ['iot-broker', 'CLIENT_ID', 'IOT_BROKER_CLIENT_ID'],
      ['iot-broker', 'CLIENT_SECRET', 'IOT_BROKER_CLIENT_SECRET'],
      ['iot-broker', 'RESOURCE_INDICATOR', 'IOT_RESOURCE'],
      ['thermostat', 'CLIENT_ID', 'THERMOSTAT_CLIENT_ID'],
      ['thermostat', 'CLIENT_SECRET', 'THERMOSTAT_CLIENT_SECRET'],
      ['thermostat', 'BROKER_RESOURCE', 'IOT_RESOURCE'],
      ['hub', 'CLIENT_ID', 'HUB_CLIENT_ID'],
      ['hub', 'CLIENT_SECRET', 'HUB_CLIENT_SECRET'],
      ['hub', 'BROKER_RESOURCE', 'IOT_RESOURCE'],
      ['hub', 'HUB_THERMOSTAT_ID', 'THERMOSTAT_CLIENT_ID'],
    ];
    for (const [service, variable, seedVariable] of expected) {
      expect(environmentOf(service)[variable], `${service} ${variable} = seed ${seedVariable}`).toBe(
        seed[seedVariable],
      );
    }
    const demo = environmentOf('demo');
    for (const variable of [
      'BOOTSTRAP_ADMIN_CLIENT_ID',
      'BOOTSTRAP_ADMIN_CLIENT_SECRET',
      'SERVICE_A_CLIENT_ID',
      'SERVICE_A_CLIENT_SECRET',
      'CONSOLE_ADMIN_EMAIL',
      'CONSOLE_ADMIN_PASSWORD',
    ])
      expect(demo[variable], `demo ${variable} = seed ${variable}`).toBe(seed[variable]);
    const issuers = new Set(
      tollgateServices.map(([name]) => environmentOf(name).AUTH_ISSUER).filter((issuer) => issuer !== undefined),
    );
    expect([...issuers]).toEqual([seed.AUTH_ISSUER]);
    // Each client has a secret of its own.
    const secretVariables = SEED_VARIABLES.filter(isSecretName).map(
      (variable) =>
        variableReferences(String((services.seed.environment as Record<string, string>)[variable]))[0]?.name,
    );
    expect(new Set(secretVariables).size).toBe(SEED_VARIABLES.filter(isSecretName).length);
  });

  /** Addresses read only when asked (a console page), so the service must not wait for them (the broker starts after the auth-server). */
  const LOOKED_UP_ON_DEMAND = new Set(['auth-server IOT_BROKER_HEALTH_URL']);

  it('names the published auth-server as the issuer, and has every other service reach it at its compose name', () => {
    const issuer = new URL(environmentOf('auth-server').AUTH_ISSUER);
    // What the host and its browsers use: the published port on loopback.
    const published = publishedPorts(services['auth-server'], composeEnv).find((port) => port.containerPort === 7400);
    expect({ host: issuer.hostname, port: issuer.port }).toEqual({ host: 'localhost', port: published!.hostPort });
    const internal = `http://auth-server:${settingOf('auth-server', 'PORT')}`;
    const relying = tollgateServices
      .map(([name]) => name)
      .filter((name) => environmentOf(name).AUTH_ISSUER !== undefined && name !== 'auth-server');
    expect(relying.length).toBeGreaterThan(0);
    for (const name of relying) expect(environmentOf(name).AUTH_INTERNAL_URL, name).toBe(internal);
  });

  it('reaches other services by compose name, on the port they listen on, and only those it waits for', () => {
    let links = 0;
    for (const [name] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(environmentOf(name))) {
        if (!/^[a-z][a-z0-9+.-]*:\/\//.test(value)) continue;
        const url = new URL(value);
        if (!(url.hostname in services)) continue;
        links++;
        expect(listeningPorts(url.hostname), `${name} ${variable} → ${url.host}`).toContain(Number(url.port));
        if (url.hostname !== name && !LOOKED_UP_ON_DEMAND.has(`${name} ${variable}`)) {
          expect(
            waitsFor(name).has(url.hostname),
            `${name} ${variable} → ${url.hostname}, which it does not wait for`,
          ).toBe(true);
        }
      }
    }
    // AUTH_INTERNAL_URL ×7, DATABASE_URL ×3, REDIS_URL ×3, SERVICE_B_URL ×2, SERVICE_A_URL, BROKER_URL ×3,
    // BROKER_TLS_URL, BROKER_HEALTH_URL, AUTH_MTLS_URL (the demo), IOT_BROKER_HEALTH_URL.
    expect(links).toBe(23);
  });

  it('listens on every interface where another container or the host connects', () => {
    const reached = new Set(
      Object.keys(services).flatMap((name) =>
        Object.values(environmentOf(name))
          .filter((value) => /^[a-z][a-z0-9+.-]*:\/\//.test(value))
          .map((value) => new URL(value).hostname),
      ),
    );
    for (const { name, service } of appServices) {
      if (reached.has(name) || (service.ports ?? []).length > 0) expect(environmentOf(name).HOST, name).toBe('0.0.0.0');
    }
  });

  it("publishes only the apps, on the ports they listen on, away from a developer machine's services, on loopback by default", () => {
    expect(services.postgres.ports).toBeUndefined();
    expect(services.redis.ports).toBeUndefined();
    const hostPorts: number[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const port of publishedPorts(service, composeEnv)) {
        expect(listeningPorts(name), `${name} publishes ${port.containerPort}`).toContain(port.containerPort);
        expect(TAKEN_PORTS, `${name} publishes host port ${port.hostPort}`).not.toContain(Number(port.hostPort));
        expect(port.hostAddress, name).toBe('127.0.0.1');
        hostPorts.push(Number(port.hostPort));
      }
    }
    expect(hostPorts.length).toBeGreaterThan(0);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('probes each long-running service where it answers health', () => {
    for (const [name, service] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) continue;
      expect(service.healthcheck?.test, name).toBeDefined();
    }
    expect(services.postgres.healthcheck!.test).toEqual(expect.arrayContaining(['pg_isready', '127.0.0.1']));
    expect(String(services.redis.healthcheck!.test)).toMatch(/redis-cli ping/);
    for (const { name, service, app } of appServices) {
      const [kind, executable, script, url, ...rest] = service.healthcheck!.test as string[];
      expect({ kind, executable, script, rest }, name).toEqual({
        kind: 'CMD',
        executable: 'node',
        script: HEALTHCHECK_SCRIPT,
        rest: [],
      });
      const probe = new URL(url);
      const healthPort = Number(settingOf(name, LISTENING[app.app as keyof typeof LISTENING].health));
      expect({ host: probe.hostname, port: Number(probe.port), path: probe.pathname }, name).toEqual({
        host: '127.0.0.1',
        port: healthPort,
        path: '/health',
      });
    }
  });

  it('starts in dependency order: postgres, redis → auth-server → seed → service-b → service-a; auth-server, seed → iot-broker → devices', () => {
    const required: [service: string, dependency: string, condition: string][] = [
      ['auth-server', 'certificates', 'service_completed_successfully'],
      ['iot-broker', 'certificates', 'service_completed_successfully'],
      ['auth-server', 'postgres', 'service_healthy'],
      ['auth-server', 'redis', 'service_healthy'],
      ['seed', 'auth-server', 'service_healthy'],
      ['service-b', 'seed', 'service_completed_successfully'],
      ['service-a', 'service-b', 'service_healthy'],
      ['iot-broker', 'redis', 'service_healthy'],
      ['iot-broker', 'auth-server', 'service_healthy'],
      ['iot-broker', 'seed', 'service_completed_successfully'],
      ['thermostat', 'iot-broker', 'service_healthy'],
      ['hub', 'iot-broker', 'service_healthy'],
    ];
    for (const [service, dependency, condition] of required) {
      expect(dependencies(services[service])[dependency]?.condition, `${service} → ${dependency}`).toBe(condition);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(dependencies(service))) {
        expect(services[dependency], `${name} → ${dependency}`).toBeDefined();
        expect(waitsFor(dependency).has(name), `${name} ↔ ${dependency} wait for each other`).toBe(false);
        if (ONE_SHOT.includes(dependency))
          expect(condition, `${name} → ${dependency}`).toBe('service_completed_successfully');
        else {
          expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
          expect(
            services[dependency].healthcheck,
            `${dependency} has no healthcheck for ${name} to wait on`,
          ).toBeDefined();
        }
      }
    }
  });

  it('restarts the long-running services, never the one-shot ones (seed, certificates, demo)', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toBe(ONE_SHOT.includes(name) ? 'no' : 'unless-stopped');
    }
  });

  it('runs the apps as the image user, read-only, without capabilities', () => {
    for (const [name, service] of tollgateServices) {
      expect(
        { user: service.user, read_only: service.read_only, cap_drop: service.cap_drop, init: service.init },
        name,
      ).toEqual({
        user: undefined,
        read_only: true,
        cap_drop: ['ALL'],
        init: true,
      });
      expect(service.security_opt, name).toContain('no-new-privileges:true');
    }
  });

  it('takes every secret from .env through `${VAR:?…}`, never from the file itself', () => {
    const references = variableReferences(composeText);
    for (const reference of references.filter(({ name }) => isSecretName(name))) {
      expect(reference.operator, `\${${reference.name}} must be required (:?)`).toBe(':?');
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, raw] of Object.entries(service.environment ?? {})) {
        const value = String(raw);
        if (isSecretName(variable)) expect(value, `${name} ${variable}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/.exec(value)?.[1];
        if (password !== undefined)
          expect(password, `${name} ${variable}: password in URL`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
    }
  });

  it('keeps the data of PostgreSQL, Redis and Prometheus in named volumes, and the TLS files in two', () => {
    const { volumes = {} } = readCompose(composeText);
    expect(services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(services.redis.volumes).toContain('redis-data:/data');
    expect(services.prometheus.volumes).toContain('prometheus-data:/prometheus');
    expect(Object.keys(volumes).sort()).toEqual(['postgres-data', 'prometheus-data', 'redis-data', 'tls', 'tls-ca']);
  });

  it('writes the TLS files once, shares the certificates read-only, and the CA key with the demo alone', () => {
    const mounts = (name: string) => (services[name].volumes ?? []).map(String);
    expect(mounts('certificates').sort()).toEqual(['tls-ca:/tls-ca', 'tls:/tls']);
    expect(environmentOf('certificates')).toMatchObject({ TLS_DIR: '/tls', TLS_CA_KEY_DIR: '/tls-ca' });
    for (const name of ['auth-server', 'iot-broker']) expect(mounts(name), name).toEqual(['tls:/tls:ro']);
    expect(mounts('demo').sort()).toEqual(['tls-ca:/tls-ca:ro', 'tls:/tls:ro']);
    const withCaKey = Object.keys(services).filter((name) => mounts(name).some((mount) => mount.startsWith('tls-ca:')));
    expect(withCaKey.sort()).toEqual(['certificates', 'demo']);
    // The server certificate names the published host and the compose names the containers use.
    const names = environmentOf('certificates').TLS_SERVER_NAMES.split(',');
    expect(names).toEqual(expect.arrayContaining(['localhost', 'auth-server', 'iot-broker']));
    // The image has the folders, owned by its user, so a new named volume takes that owner.
    expect(
      readDockerfile()
        .at(-1)!
        .instructions.filter((i) => i.keyword === 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).toMatch(/chown node:node \/data \/tls \/tls-ca/);
  });
});

describe('.env.example', () => {
  const names = dotenvExample.map(([name]) => name);
  const values = Object.fromEntries(dotenvExample);

  it('lists every variable docker-compose.yml interpolates, once, and nothing else', () => {
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...new Set(variableReferences(composeText).map(({ name }) => name))].sort());
  });

  it("leaves every secret empty and gives every other variable compose's own default", () => {
    expect(names.filter(isSecretName).filter((name) => values[name] !== '')).toEqual([]);
    for (const reference of variableReferences(composeText)) {
      if (reference.operator === ':-') expect(values[reference.name], reference.name).toBe(reference.argument);
      else expect(reference.operator, `\${${reference.name}} needs a default (:-) or must be required (:?)`).toBe(':?');
    }
  });

  it('is committed while .env stays out of git', () => {
    const ignored = (path: string) => {
      try {
        execFileSync('git', ['check-ignore', '--no-index', '--quiet', path], { cwd: REPOSITORY_ROOT });
        return true;
      } catch {
        return false;
      }
    };
    expect({ '.env': ignored('.env'), '.env.example': ignored('.env.example') }).toEqual({
      '.env': true,
      '.env.example': false,
    });
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfile();
  const build = stages[0];
  const runtime = stages.at(-1)!;
  const runs = (stage: typeof build) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

  it('builds and runs on Node 24 LTS (node:24-bookworm-slim)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toBe('node:24-bookworm-slim');
  });

  it('builds with the toolchain better-sqlite3 needs, from the lockfile, then drops the dev dependencies', () => {
    const script = runs(build).join('\n');
    expect(script).toMatch(/apt-get install[^\n]*\bpython3\b/);
    expect(script).toMatch(/apt-get install[^\n]*\bmake\b/);
    expect(script).toMatch(/apt-get install[^\n]*\bg\+\+/);
    expect(script).toMatch(/\bnpm ci\b/);
    expect(script).toMatch(/\bnpm run build\b/);
    expect(script).toMatch(/\bnpm prune --omit=dev\b/);
    expect(script.indexOf('npm prune')).toBeGreaterThan(script.indexOf('npm run build'));
  });

  it("runs install scripts only for the packages package.json's allowScripts allows", () => {
    const script = runs(build).join('\n');
    expect(script).toMatch(/\bnpm ci --ignore-scripts\b/);
    const rebuilt = /\bnpm rebuild ([^&;\n]+)/.exec(script)?.[1].trim().split(/\s+/) ?? [];
    const allowed = Object.entries(packageJson.allowScripts ?? {})
      .filter(([, allow]) => allow)
      .map(([name]) => name);
    expect(rebuilt.sort()).toEqual(allowed.sort());
  });

  it('runs as an unprivileged user with production settings and a writable /data', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    const user = users.at(-1);
    expect(user === 'node' || Number(user) >= 1000, `USER ${user}`).toBe(true);
    expect(imageEnvironment()).toMatchObject({ NODE_ENV: 'production', DATA_DIR: '/data' });
    expect(runtime.instructions).toContainEqual({ keyword: 'VOLUME', args: '["/data"]' });
    expect(runs(runtime).join('\n')).toMatch(new RegExp(`chown ${user}(:${user})? /data`));
  });

  it('ships the build output, the production dependencies and package.json only (plus the health probe)', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    const fromBuild = copies
      .filter((args) => args.startsWith(`--from=${build.name} `))
      .map((args) => args.split(/\s+/).slice(1));
    expect(fromBuild.map(([source]) => source).sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json']);
    expect(copies.filter((args) => !args.startsWith('--from='))).toEqual([
      `${HEALTHCHECK_SCRIPT} ./${HEALTHCHECK_SCRIPT}`,
    ]);
    expect(runs(runtime).join('\n')).not.toMatch(/\bnpm\b/);
    expect(runtime.instructions).toContainEqual({ keyword: 'WORKDIR', args: '/app' });
  });

  it('starts the auth-server by default, from a file the build writes', () => {
    const cmd = execForm(runtime.instructions.find((i) => i.keyword === 'CMD')!);
    expect(cmd).toEqual(command(services['auth-server']));
    expect(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')).toBeUndefined();
  });
});

describe('.dockerignore', () => {
  const patterns = readRepositoryFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  const globToRegExp = (glob: string) => {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      if (glob.startsWith('**/', i)) {
        source += '(?:.*/)?';
        i += 2;
      } else if (glob.startsWith('**', i)) {
        source += '.*';
        i += 1;
      } else if (glob[i] === '*') source += '[^/]*';
      else if (glob[i] === '?') source += '[^/]';
      else source += glob[i].replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${source}$`);
  };

  // A path is excluded when the last pattern matching it or one of its parent folders is not a `!` exception.
  const excluded = (path: string) => {
    const segments = path.split('/');
    const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
    let result = false;
    for (const pattern of patterns) {
      const negated = pattern.startsWith('!');
      const regex = globToRegExp(negated ? pattern.slice(1) : pattern);
      if (candidates.some((candidate) => regex.test(candidate))) result = !negated;
    }
    return result;
  };

  it('keeps local artefacts, data and secrets out of the build context', () => {
    for (const path of [
      'node_modules',
      'dist',
      'data',
      '.env',
      '.git',
      'data/auth-server/auth-server.sqlite',
      'apps/auth-server/src/health/health.controller.spec.ts',
    ]) {
      expect(excluded(path), path).toBe(true);
    }
  });

  it('sends everything the build reads', () => {
    const projects = Object.values(nestProjects());
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'nest-cli.json',
      HEALTHCHECK_SCRIPT,
      ...projects.map((project) => project.root),
      ...projects.map((project) => project.compilerOptions?.tsConfigPath ?? ''),
    ];
    expect(needed.filter((path) => path && excluded(path))).toEqual([]);
  });
});

describe(HEALTHCHECK_SCRIPT, () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(request.url === '/health' ? 200 : 503, { 'content-type': 'application/json' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const probe = (url: string) =>
    run('node', [HEALTHCHECK_SCRIPT, url], { cwd: REPOSITORY_ROOT }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );

  it('exits 0 on a 2xx answer, 1 on an error status or no answer', async () => {
    const closed = `http://127.0.0.1:${await new Promise<number>((resolve) => {
      const spare = createServer();
      spare.listen(0, '127.0.0.1', () => {
        const { port } = spare.address() as { port: number };
        spare.close(() => resolve(port));
      });
    })}/health`;
    expect({
      ok: await probe(`${base}/health`),
      failing: await probe(`${base}/down`),
      closed: await probe(closed),
    }).toEqual({ ok: 0, failing: 1, closed: 1 });
  });
});

describe('docker/postgres-init.sh', () => {
  const script = readRepositoryFile('docker/postgres-init.sh');
  const created = new Map(
    [...script.matchAll(/^create_app_database (\S+) "\$\{([A-Z_]+):\?[^}]*\}"$/gm)].map((match) => [
      match[1],
      match[2],
    ]),
  );

  it('is what the postgres container runs on its first start', () => {
    expect(services.postgres.volumes).toContain(
      './docker/postgres-init.sh:/docker-entrypoint-initdb.d/10-tollgate-databases.sh:ro',
    );
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
  });

  it('creates the database and role each DATABASE_URL names, with the password compose gives postgres for it', () => {
    const databases: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const raw = (service.environment as Record<string, string> | undefined)?.DATABASE_URL;
      if (raw === undefined) continue;
      const match = /^postgres:\/\/([a-z_]+):\$\{([A-Z_]+):\?[^}]*\}@postgres:5432\/([a-z_]+)$/.exec(raw);
      expect(match, `${name} DATABASE_URL`).not.toBeNull();
      const [, role, passwordVariable, database] = match!;
      expect({ role, passwordVariable }, name).toEqual({ role: database, passwordVariable: created.get(database) });
      expect(String((services.postgres.environment as Record<string, string>)[passwordVariable]), name).toMatch(
        new RegExp(`^\\$\\{${passwordVariable}:\\?`),
      );
      databases.push(database);
    }
    expect(databases.sort()).toEqual([...created.keys()].sort());
  });

  const serverUrl = process.env.TEST_DATABASE_URL;
  const hasPsql = (() => {
    try {
      execFileSync('psql', ['--version']);
      return true;
    } catch {
      return false;
    }
  })();

  describe.runIf(serverUrl && hasPsql)('on PostgreSQL (TEST_DATABASE_URL)', () => {
    const suffix = randomBytes(4).toString('hex');
    const apps = [`tollgate_init_${suffix}_a`, `tollgate_init_${suffix}_b`];
    const password = `p'w"${randomBytes(8).toString('hex')}`;
    const server = new URL(serverUrl ?? 'postgres://localhost');

    const connect = (role: string, database: string) => {
      const url = new URL(server);
      url.username = role;
      url.password = password;
      url.pathname = `/${database}`;
      return new pg.Client({ connectionString: url.toString() });
    };

    beforeAll(async () => {
      // The function the container runs, called with throwaway names (roles are global to the server).
      const body = /^create_app_database\(\) \{\n[\s\S]*?\n\}$/m.exec(script)![0];
      for (const name of apps) {
        await run('bash', ['-c', `set -euo pipefail\n${body}\ncreate_app_database "$1" "$2"`, 'init', name, password], {
          env: {
            ...process.env,
            POSTGRES_USER: decodeURIComponent(server.username),
            POSTGRES_DB: server.pathname.slice(1),
            PGHOST: server.hostname,
            PGPORT: server.port || '5432',
            PGPASSWORD: decodeURIComponent(server.password),
          },
        });
      }
    });

    afterAll(async () => {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      for (const name of apps) {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS ${name}`);
      }
      await admin.end();
    });

    it('gives each app a database it owns and can build its schema in', async () => {
      const client = connect(apps[0], apps[0]);
      await client.connect();
      try {
        await client.query('CREATE TABLE migrations_probe (id integer PRIMARY KEY)');
        const { rows } = await client.query('SELECT current_user AS role, current_database() AS database');
        expect(rows[0]).toEqual({ role: apps[0], database: apps[0] });
      } finally {
        await client.end();
      }
    });

    it("refuses an app's role on another app's database", async () => {
      const client = connect(apps[0], apps[1]);
      await expect(client.connect()).rejects.toThrow(/permission denied for database/);
      await client.end().catch(() => undefined);
    });
  });
});

// The apps started in-process with their compose environment (network endpoints pointed at each
// other on 127.0.0.1, SQLite instead of PostgreSQL, no Redis), probed by the compose healthcheck.
describe('healthchecks against the apps started with their compose environment', () => {
  type Running = { url: string; stop: () => Promise<void> };
  const running = new Map<string, Running>();
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-compose-'));

  const adapted = (name: string, overrides: Record<string, string>) => {
    const env: Record<string, string> = {
      ...withTlsFiles({ ...imageEnvironment(), ...environmentOf(name) }),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATA_DIR: join(dataDir, name),
      ...overrides,
    };
    if (env.DATABASE_URL) env.DATABASE_URL = `sqlite:${join(dataDir, name, 'db.sqlite')}`;
    // Here the issuer (127.0.0.1) resolves: nothing to reach elsewhere.
    delete env.AUTH_INTERNAL_URL;
    delete env.REDIS_URL;
    return env;
  };

  beforeAll(async () => {
    const { createLogger } = await import('@tollgate/platform');
    const { freePort } = await import('../support/free-port.js');
    const { createAuthServer } = await import('../../apps/auth-server/src/auth-server.app.js');
    const { loadAuthServerConfig } = await import('../../apps/auth-server/src/config/auth-server.config.js');
    const { createServiceB } = await import('../../apps/service-b/src/service-b.app.js');
    const { loadServiceBConfig } = await import('../../apps/service-b/src/config/service-b.config.js');
    const { createServiceA } = await import('../../apps/service-a/src/service-a.app.js');
    const { loadServiceAConfig } = await import('../../apps/service-a/src/config/service-a.config.js');
    const { createIotBroker } = await import('../../apps/iot-broker/src/iot-broker.app.js');
    const { loadIotBrokerConfig } = await import('../../apps/iot-broker/src/config/iot-broker.config.js');
    const { createDeviceApp } = await import('../../apps/devices/src/devices.app.js');
    const { loadDevicesConfig } = await import('../../apps/devices/src/config/devices.config.js');
    const logger = createLogger({ name: 'compose', level: 'silent' });

    const authPort = await freePort();
    const issuer = `http://127.0.0.1:${authPort}`;
    const auth = await createAuthServer(
      loadAuthServerConfig(
        adapted('auth-server', { PORT: String(authPort), AUTH_ISSUER: issuer, MTLS_PORT: String(await freePort()) }),
      ),
      { logger },
    );
    await auth.listen(authPort, '127.0.0.1');
    running.set('auth-server', { url: issuer, stop: () => auth.close() });

    const serviceB = await createServiceB(
      loadServiceBConfig(adapted('service-b', { PORT: '0', AUTH_ISSUER: issuer })),
      { logger },
    );
    await serviceB.listen(0, '127.0.0.1');
    running.set('service-b', { url: await serviceB.getUrl(), stop: () => serviceB.close() });

    const serviceA = await createServiceA(
      loadServiceAConfig(
        adapted('service-a', { PORT: '0', AUTH_ISSUER: issuer, SERVICE_B_URL: running.get('service-b')!.url }),
      ),
    );
    await serviceA.listen(0, '127.0.0.1');
    running.set('service-a', { url: await serviceA.getUrl(), stop: () => serviceA.close() });

    const broker = await createIotBroker(
      loadIotBrokerConfig(
        adapted('iot-broker', {
          MQTT_PORT: '0',
          MQTT_WS_PORT: '0',
          MQTTS_PORT: String(await freePort()),
          AUTH_ISSUER: issuer,
        }),
      ),
      { logger },
    );
    const addresses = await broker.listen();
    running.set('iot-broker', { url: `http://127.0.0.1:${addresses.wsPort}`, stop: () => broker.close() });

    for (const device of ['thermostat', 'hub']) {
      const app = createDeviceApp(
        loadDevicesConfig(adapted(device, { HEALTH_PORT: '0', AUTH_ISSUER: issuer, BROKER_URL: addresses.mqttUrl })),
        { logger },
      );
      const { healthUrl } = await app.start();
      running.set(device, { url: new URL(healthUrl).origin, stop: () => app.stop() });
    }
  });

  afterAll(async () => {
    for (const name of [...running.keys()].reverse()) await running.get(name)!.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['auth-server', 'service-b', 'service-a', 'iot-broker', 'thermostat', 'hub'])(
    '%s answers its healthcheck',
    async (name) => {
      const [, , script, url] = services[name].healthcheck!.test as string[];
      const probed = new URL(url);
      const actual = `${running.get(name)!.url}${probed.pathname}${probed.search}`;
      await expect(run('node', [script, actual], { cwd: REPOSITORY_ROOT })).resolves.toBeDefined();
    },
  );
});

/**
 * The Compose Specification's own JSON schema (compose-spec/compose-spec, `schema/compose-spec.json`,
 * the one Docker Compose v2 validates with), as the dclint package ships it, checked with ajv: a
 * key compose does not know, a value of the wrong shape or a misspelt condition fails here, in CI,
 * without a Docker engine. (Debian's docker-compose v1 does not know the top-level `name:` and is no
 * judge of a v2 file.)
 */
describe('docker-compose.yml against the Compose Specification (JSON schema)', () => {
  const require = createRequire(import.meta.url);
  const schemaFile = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $id?: string; title?: string };
  // draft-07; its `$schema` is the https spelling of the meta-schema, which ajv does not hold by that name.
  const validate = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);
  const document = readCompose(composeText);
  const describeErrors = () =>
    (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('\n');

  it('is the Compose Specification schema', () => {
    expect({ id: schema.$id, title: schema.title }).toEqual({
      id: 'compose_spec.json',
      title: 'Compose Specification',
    });
  });

  it('validates the file as written and as compose interpolates it with .env.example', () => {
    expect(validate(document), describeErrors()).toBe(true);
    expect(validate(interpolateDocument(document, composeEnv)), describeErrors()).toBe(true);
  });

  it('would refuse what compose refuses: an unknown key, a misspelt condition, a profile that is not a name', () => {
    const broken = (change: (file: ComposeFile) => void) => {
      const copy = structuredClone(interpolateDocument(document, composeEnv)) as ComposeFile;
      change(copy);
      return validate(copy);
    };
    expect(broken((file) => (file.services.seed.restarts = 'no'))).toBe(false);
    expect(broken((file) => (file.services['service-a'].depends_on = { 'service-b': { condition: 'healthy' } }))).toBe(
      false,
    );
    expect(broken((file) => (file.services.demo.profiles = 'demo'))).toBe(false);
    expect(broken(() => undefined)).toBe(true);
  });
});
