import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { appsAreBuilt, builtApp } from '../support/app-process.js';

/** Issue 11 point 12: every app exits on SIGTERM within 10 s. */
const WITHIN_MS = 10_000;
const ISSUER = 'http://127.0.0.1:1';
const APPS = {
  'iot-broker': { AUTH_ISSUER: ISSUER, MQTT_PORT: '0', WS_PORT: '0' },
  'service-b': { AUTH_ISSUER: ISSUER, PORT: '0' },
} as const;

/** How `child` ended, or 'still running' when it has not within the 10 s. */
function exitWithin(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  return Promise.race([
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    ),
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), WITHIN_MS)),
  ]);
}

/**
 * The reader of an app's log (stdout) goes away: a log shipper that died, `| head`. Every line the
 * app writes from then on fails with EPIPE. pino's asynchronous stream retried the lines still in
 * flight for ever when the process exited, so neither a SIGTERM nor a failed boot ended the app.
 */
describe.runIf(appsAreBuilt(...Object.keys(APPS)))('an app whose log pipe has closed', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-log-pipe-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(Object.keys(APPS) as (keyof typeof APPS)[])(
    '%s: SIGTERM still ends it with 0 within 10 s',
    { timeout: 60_000 },
    async (app) => {
      const child = spawn(process.execPath, [builtApp(app)], {
        env: { ...process.env, ...APPS[app], DATA_DIR: dataDir, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        for await (const line of createInterface({ input: child.stdout })) if (line.includes('listening')) break;
        child.stdout.destroy();
        // Lines are logged after the pipe closed (the first write finds it gone), then SIGTERM.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const signalled = performance.now();
        child.kill('SIGTERM');
        const exit = await exitWithin(child);
        expect(exit).toEqual({ code: 0, signal: null });
        expect(performance.now() - signalled).toBeLessThan(WITHIN_MS);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it('service-b: a failed boot still ends it with 1 within 10 s', { timeout: 60_000 }, async () => {
    const fileInTheWay = join(dataDir, 'data');
    writeFileSync(fileInTheWay, '');
    const child = spawn(process.execPath, [builtApp('service-b')], {
      env: { ...process.env, ...APPS['service-b'], DATA_DIR: fileInTheWay, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.destroy();
    try {
      expect(await exitWithin(child)).toEqual({ code: 1, signal: null });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
