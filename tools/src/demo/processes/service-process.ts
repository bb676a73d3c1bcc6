import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** `{"level":50,"msg":"…","err":{"message":"…"}}` → `error …: …`; other lines as they are. */
function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string }; error?: unknown };
    if (typeof entry.msg !== 'string') return line;
    const cause = entry.err?.message ?? (typeof entry.error === 'string' ? entry.error : undefined);
    return `${LEVELS[entry.level ?? 30] ?? 'info'} ${entry.msg}${cause ? `: ${cause}` : ''}`;
  } catch {
    return line;
  }
}

export interface ServiceSpec {
  /** Short name: also the log file's (`<logDir>/<name>.log`). */
  name: string;
  /** The built entry point (dist/…/main.js). */
  entry: string;
  /** The whole environment of the process (nothing is inherited but what is listed). */
  env: Record<string, string>;
  /** Resolves to a short description once the service is ready, to undefined while it is not. */
  ready: () => Promise<string | undefined>;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One service as a child process: in its own process group (so a signal reaches it and anything it
 * starts, and Ctrl-C in the terminal reaches the demo only), its output appended to a log file,
 * tied to the demo's life through an IPC channel (see exit-with-parent.ts).
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exitInfo?: ServiceExit;
  private readonly exitedPromise: Promise<ServiceExit>;
  private resolveExit!: (exit: ServiceExit) => void;
  /** True once the demo asked it to stop: its exit is then expected. */
  stopping = false;

  constructor(
    readonly spec: ServiceSpec,
    readonly logFile: string,
    private readonly options: { cwd: string; preload: string },
  ) {
    this.exitedPromise = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get name(): string {
    return this.spec.name;
  }

  get exited(): Promise<ServiceExit> {
    return this.exitedPromise;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  start(): void {
    const log = openSync(this.logFile, 'w', 0o600);
    writeSync(log, `# ${new Date().toISOString()} demo: starting ${this.spec.name} (node ${this.spec.entry})\n`);
    try {
      this.child = spawn(process.execPath, ['--import', this.options.preload, this.spec.entry], {
        cwd: this.options.cwd,
        env: this.spec.env,
        stdio: ['ignore', log, log, 'ipc'],
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    this.child.channel?.unref();
    this.child.on('error', () => undefined);
    this.child.once('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.resolveExit(this.exitInfo);
    });
  }

  /** SIGTERM to the group, then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.signal('SIGKILL');
      await this.exited;
    }
  }

  /** SIGKILL now, synchronously (for process 'exit' handlers). */
  killNow(): void {
    this.stopping = true;
    if (this.running) this.signal('SIGKILL');
  }

  /** The last lines of the log file, JSON log lines (pino) shortened to their level and message. */
  tail(lines = 12): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).map(readable).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }
}
