import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appsAreBuilt } from '../support/app-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const built = (app: string, module: string) => join(ROOT, 'dist', 'apps', app, module);
/** The HTTP frameworks and what they bring: none of it belongs in a process without an HTTP app. */
const FRAMEWORK = /\/node_modules\/(@nestjs\/[^/]+|fastify|@fastify\/[^/]+|passport[^/]*|rxjs|express)\//;

/**
 * The packages a fresh Node process loads while importing `entry` (a built module), as its ESM
 * resolver saw them: a resolve hook, registered before anything else, writes down every URL.
 */
function packagesLoadedBy(entry: string, dir: string): string[] {
  const log = join(dir, `${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.RESOLVED_LOG, resolved.url + '\\n');
  return resolved;
}`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);`,
  );
  execFileSync(
    process.execPath,
    ['--import', join(dir, 'register.mjs'), '--input-type=module', '-e', 'await import(process.argv[1]);', entry],
    { env: { ...process.env, RESOLVED_LOG: log }, stdio: 'pipe' },
  );
  const packages = readFileSync(log, 'utf8')
    .split('\n')
    .map((url) => FRAMEWORK.exec(url)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(packages)].sort();
}

/**
 * The MQTT broker, the device simulator and the CLI have no HTTP app: the framework-free cores
 * (`@tollgate/verifier`, `@tollgate/platform`) must not pull Nest, Fastify or passport into them.
 * Measured when they did (issue 15): the broker started in 772 against 382 ms, with 134 against
 * 88 MB resident.
 */
describe.runIf(appsAreBuilt('iot-broker', 'service-b'))('framework-free cores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-imports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the MQTT broker', 'apps/iot-broker/src/iot-broker.app.js'],
    ['@tollgate/verifier', 'libs/verifier/src/index.js'],
    ['@tollgate/platform', 'libs/platform/src/index.js'],
  ])('%s loads no HTTP framework', (_name, module) => {
    expect(packagesLoadedBy(built('iot-broker', module), dir)).toEqual([]);
  });

  it('sees the framework where it is meant to be: @tollgate/verifier/nest loads Nest and passport', () => {
    expect(packagesLoadedBy(built('service-b', 'libs/verifier/src/nest/index.js'), dir)).toEqual(
      expect.arrayContaining(['@nestjs/common', '@nestjs/core', '@nestjs/passport', 'passport']),
    );
  });
});
