import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { preloadEntry } from './paths.js';

export interface ServerProcessOptions {
  /** Shown in progress lines and prefixed to the child's output. */
  name: string;
  /** A compiled ES module to run with node. */
  entry: string;
  args?: string[];
  /** Options for node itself, before the module (e.g. a V8 flag). */
  nodeOptions?: string[];
  env: Record<string, string>;
  /** Polled until it answers 200: the server is up. */
  readyUrl: string;
  readyTimeoutMs?: number;
}

const running = new Set<ServerProcess>();
let clockTicks: number | undefined;

export interface CpuTime {
  total: number;
  mainThread: number;
}

/** utime + stime (fields 14 and 15, counted after the parenthesised command name) of a /proc stat file, in ms. */
function ticksToMs(statFile: string): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const fields = readFileSync(statFile, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}
let cpuProfileDir: string | undefined;
let allocationProfileDir: string | undefined;

/**
 * A server under test in its own Node process, so it has its own event loop and heap and the load
 * generator in this process does not share them. Its output goes to our stderr with a prefix
 * (stdout stays free for the table and the JSON line).
 */
export class ServerProcess {
  private exited?: string;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    running.add(this);
    child.once('exit', (code, signal) => {
      this.exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
      running.delete(this);
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim()) process.stderr.write(`[${name}] ${line}\n`);
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * CPU time this process has used so far, in ms: all its threads (the libuv pool and workers
   * included) and the main thread alone (the event loop, which caps a Node server's throughput);
   * undefined where /proc is not available. Unlike throughput, CPU per request barely moves when
   * other work competes for the machine, so it is the steadier figure for before/after comparisons.
   */
  cpuTimeMs(): CpuTime | undefined {
    try {
      return {
        total: ticksToMs(`/proc/${this.child.pid}/stat`),
        mainThread: ticksToMs(`/proc/${this.child.pid}/task/${this.child.pid}/stat`),
      };
    } catch {
      return undefined;
    }
  }

  /** Resident memory (VmRSS) of the process now, in bytes; undefined where /proc is not available. */
  residentBytes(): number | undefined {
    try {
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'))?.[1];
      return kib === undefined ? undefined : Number(kib) * 1024;
    } catch {
      return undefined;
    }
  }

  /** Every server started from now on writes a V8 CPU profile into `dir/<server name>/` when it stops. */
  static profileInto(dir: string): void {
    cpuProfileDir = dir;
  }

  /**
   * Every server started from now on writes a sampling profile of what it allocates (collected
   * objects included) into `dir/<server name>/` when it stops (servers/allocation-sampler.preload.ts).
   */
  static sampleAllocationsInto(dir: string): void {
    allocationProfileDir = dir;
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    // At the stop signal the allocation sampler writes its profile, then exit-on-signal exits, and V8 writes the CPU profile.
    const profiling = [
      ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProfileDir, options.name)}`] : []),
      ...(allocationProfileDir ? ['--import', preloadEntry('allocation-sampler')] : []),
      ...(cpuProfileDir || allocationProfileDir ? ['--import', preloadEntry('exit-on-signal')] : []),
    ];
    const child = fork(options.entry, options.args ?? [], {
      execArgv: [...profiling, ...(options.nodeOptions ?? [])],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        ...(allocationProfileDir && { ALLOCATION_PROFILE_DIR: join(allocationProfileDir, options.name) }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const server = new ServerProcess(options.name, child);
    try {
      await server.waitUntilReady(options.readyUrl, options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /**
   * A server that is not a Node module (e.g. Mosquitto), measured like the others; ready once it
   * accepts TCP connections on `readyPort`.
   */
  static async startExecutable(options: {
    name: string;
    command: string;
    args: string[];
    readyPort: { host: string; port: number };
    readyTimeoutMs?: number;
  }): Promise<ServerProcess> {
    const child = spawn(options.command, options.args, {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(options.name, child);
    try {
      await server.waitUntil(() => accepts(options.readyPort), options.readyTimeoutMs ?? 10_000, 'listening');
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const forced = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(forced);
  }

  /** Kills every server still running (on an error or Ctrl-C), without waiting. */
  static killAll(): void {
    for (const server of running) server.child.kill('SIGKILL');
  }

  private waitUntilReady(url: string, timeoutMs: number): Promise<void> {
    return this.waitUntil(
      async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      },
      timeoutMs,
      url,
    );
  }

  /** Polls `ready` (which throws while not ready) until it passes, the process exits, or time runs out. */
  private async waitUntil(ready: () => Promise<void>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} ${this.exited} before it was ready (its output is above)`);
      try {
        await ready();
        return;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (${what}: ${last})`);
  }
}

/** Resolves once a TCP connection to `endpoint` opens (and closes it); rejects otherwise. */
function accepts(endpoint: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint);
    socket.setTimeout(1_000, () => socket.destroy(new Error('connect timed out')));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
