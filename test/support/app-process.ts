import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '..', '..');

/** The compiled entry point of an app (`npm run build` makes it). */
export function builtApp(app: string): string {
  return join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

/** True when every app has been built (CI builds before it tests). */
export function appsAreBuilt(...apps: string[]): boolean {
  return apps.every((app) => existsSync(builtApp(app)));
}

/** An app running as its own process, as in production. */
export class AppProcess {
  readonly output: string[] = [];
  private exited?: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts `app` with `env` and waits until `healthUrl` answers 200. */
  static async start(name: string, app: string, env: Record<string, string>, healthUrl: string, timeoutMs = 30_000): Promise<AppProcess> {
    const child = spawn(process.execPath, [builtApp(app)], { env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = new AppProcess(name, child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${started.output.slice(-20).join('\n')}`);
      try {
        if ((await fetch(healthUrl, { signal: AbortSignal.timeout(1_000) })).ok) return started;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await started.stop();
        throw new Error(`${name} did not become healthy at ${healthUrl}:\n${started.output.slice(-20).join('\n')}`);
      }
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL after a grace period. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const timeout = sleep(5_000).then(() => this.child.kill('SIGKILL'));
    await Promise.race([this.exited, timeout]);
    await this.exited;
  }

  /** Kills at once, as a crash would. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }
}
