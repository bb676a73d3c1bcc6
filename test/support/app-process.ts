import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** How a process ended, and how long after the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  afterMs: number;
}

/** An app running as its own process, as in production; it can be stopped, killed and started again on the same port and data. */
export class AppProcess {
  /** Every line the process wrote to stdout and stderr, across restarts. */
  readonly output: string[] = [];
  private child!: ChildProcess;
  private exited!: Promise<Omit<ProcessExit, 'afterMs'>>;

  private constructor(
    readonly name: string,
    readonly app: string,
    readonly env: Record<string, string>,
    readonly healthUrl: string,
  ) {}

  /** Starts `app` with `env` and waits until `healthUrl` answers 200. */
  static async start(
    name: string,
    app: string,
    env: Record<string, string>,
    healthUrl: string,
    timeoutMs = 90_000,
  ): Promise<AppProcess> {
    const started = new AppProcess(name, app, env, healthUrl);
    await started.spawn(timeoutMs);
    return started;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts the app again with the same environment (same port, same database), once it has exited. */
  async restart(timeoutMs = 90_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is still running`);
    await this.spawn(timeoutMs);
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`, reported as such). */
  async terminate(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ProcessExit> {
    const sentAt = Date.now();
    this.child.kill(signal);
    const killer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(killer);
    return { ...exit, afterMs: Date.now() - sentAt };
  }

  /** SIGTERM, then SIGKILL after a grace period. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    await this.terminate(signal, 5_000);
  }

  /** Kills at once, as a crash would. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  private async spawn(timeoutMs: number): Promise<void> {
    const child = spawn(process.execPath, [builtApp(this.app)], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => line && this.output.push(line));
    // 'close' comes after the output has been read to the end.
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.output.slice(-20).join('\n')}`);
      try {
        if ((await fetch(this.healthUrl, { signal: AbortSignal.timeout(1_000) })).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `${this.name} did not become healthy at ${this.healthUrl}:\n${this.output.slice(-20).join('\n')}`,
        );
      }
      await sleep(100);
    }
  }
}
