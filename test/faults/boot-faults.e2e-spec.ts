import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppProcess, appsAreBuilt, builtApp } from '../support/app-process.js';
import { runUntilExit } from '../support/app-run.js';
import { KEY_ENCRYPTION_SECRET } from '../support/auth-server.harness.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { freePort } from '../support/free-port.js';

const APPS = ['auth-server', 'service-b', 'service-a'] as const;
const ISSUER = 'http://127.0.0.1:1';
const BASE_ENV: Record<(typeof APPS)[number], Record<string, string>> = {
  'auth-server': { PORT: '0' },
  'service-b': { PORT: '0', AUTH_ISSUER: ISSUER },
  'service-a': {
    PORT: '0',
    AUTH_ISSUER: ISSUER,
    CLIENT_ID: 'service-a',
    CLIENT_SECRET: 'service-a-secret-0123456789abcdef',
    SERVICE_B_URL: 'http://127.0.0.1:1',
  },
};
const NOBODY = 65_534;

/** Whether the built apps can be run as an unprivileged user (to make a folder unwritable for a test running as root). */
function runnableAsNobody(): boolean {
  const probe = spawnSync(
    process.execPath,
    ['-e', `require('fs').accessSync(${JSON.stringify(builtApp('auth-server'))})`],
    { uid: NOBODY, gid: NOBODY },
  );
  return probe.status === 0;
}

describe.runIf(appsAreBuilt(...APPS))('boot faults', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-boot-'));
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(APPS)(
    '%s: a file where DATA_DIR should be stops the boot with a message naming DATA_DIR',
    { timeout: 90_000 },
    async (app) => {
      const dataDir = join(dir, 'data');
      writeFileSync(dataDir, '');
      const run = await runUntilExit(app, { ...BASE_ENV[app], DATA_DIR: dataDir }, { timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(run.output).toContain(`Cannot write ${dataDir}`);
      expect(run.output).toMatch(/Set DATA_DIR( \(or DATABASE_URL\))? to a writable folder with free space/);
    },
  );

  it.each(APPS)(
    '%s: a port already in use stops the boot with a message naming PORT',
    { timeout: 90_000 },
    async (app) => {
      const squatter = createServer();
      await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
      const { port } = squatter.address() as AddressInfo;
      try {
        const run = await runUntilExit(
          app,
          { ...BASE_ENV[app], PORT: String(port), DATA_DIR: join(dir, 'data') },
          { timeoutMs: 60_000 },
        );
        expect(run.code).toBe(1);
        expect(run.output).toContain(`Port ${port} on 127.0.0.1 is already in use. Set PORT to a free port.`);
      } finally {
        squatter.close();
      }
    },
  );

  it.runIf(process.getuid?.() !== 0 || runnableAsNobody())(
    'auth-server: a read-only DATA_DIR stops the boot with a message naming DATA_DIR',
    { timeout: 90_000 },
    async () => {
      const parent = join(dir, 'read-only');
      mkdirSync(parent);
      chmodSync(dir, 0o755);
      chmodSync(parent, 0o555);
      const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
      const run = await runUntilExit(
        'auth-server',
        { ...BASE_ENV['auth-server'], DATA_DIR: join(parent, 'data') },
        { timeoutMs: 60_000, ...asNobody },
      );
      expect(run.code).toBe(1);
      expect(run.output).toContain('permission denied. Set DATA_DIR to a writable folder with free space.');
    },
  );

  it.runIf(process.env.TEST_DATABASE_URL).each(['refusing', 'silent'] as const)(
    'auth-server: PostgreSQL %s at boot stops it in bounded time, naming DATABASE_URL without the password',
    { timeout: 120_000 },
    async (fault) => {
      const proxy = await FaultProxy.start(process.env.TEST_DATABASE_URL!);
      try {
        await (fault === 'refusing' ? proxy.refuse() : proxy.silence());
        const url = new URL(proxy.urlFor(process.env.TEST_DATABASE_URL!));
        url.username = 'postgres';
        url.password = 'pg-password-never-logged';
        const started = Date.now();
        // Before: refused, it exited without naming DATABASE_URL; silent, it waited forever.
        const run = await runUntilExit(
          'auth-server',
          { ...BASE_ENV['auth-server'], DATA_DIR: dir, DATABASE_URL: url.toString(), KEY_ENCRYPTION_SECRET },
          { timeoutMs: 90_000 },
        );
        console.info(`PostgreSQL ${fault} at boot: exit ${run.code} after ${Date.now() - started} ms`);
        expect(run.code).toBe(1);
        expect(run.output).toContain(
          `Cannot use the database at PostgreSQL postgres://postgres:***@127.0.0.1:${proxy.port}/`,
        );
        expect(run.output).toContain('(DATABASE_URL)');
        expect(run.output).not.toContain('pg-password-never-logged');
      } finally {
        await proxy.close();
      }
    },
  );

  it(
    'auth-server: a SQLite migration lock left by a killed process does not hold the next start',
    { timeout: 120_000 },
    async () => {
      const database = join(dir, 'auth-server.sqlite');
      // A process that dies holding the lock, the way a killed auth-server would during its migrations.
      const migrations = pathToFileURL(
        join(builtApp('auth-server'), '..', '..', '..', '..', 'libs', 'persistence', 'src', 'run-migrations.js'),
      ).href;
      const holder = spawn(process.execPath, [
        '--input-type=module',
        '-e',
        `const { runMigrationsExclusively } = await import(${JSON.stringify(migrations)});
       await runMigrationsExclusively({ runMigrations: () => { console.log('locked'); return new Promise(() => {}); } }, { type: 'sqlite', file: ${JSON.stringify(database)} });`,
      ]);
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
      });
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));

      const port = await freePort();
      // Before: it waited 60 s for the dead owner's lock file, then stopped.
      const auth = await AppProcess.start(
        'auth',
        'auth-server',
        { PORT: String(port), DATA_DIR: dir },
        `http://127.0.0.1:${port}/health`,
        55_000,
      );
      await auth.stop();
    },
  );
});
