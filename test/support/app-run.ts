import { spawn } from 'node:child_process';
import { builtApp } from './app-process.js';

export interface FinishedRun {
  /** The exit code; null when the run was stopped at the time limit. */
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/**
 * Runs a built app that is expected to stop on its own (a boot that must fail), and collects what
 * it printed. Stopped with SIGKILL at `timeoutMs` (then `code` is null).
 */
export function runUntilExit(
  app: string,
  env: Record<string, string>,
  options: { timeoutMs: number; uid?: number; gid?: number },
): Promise<FinishedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtApp(app)], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, output });
    });
  });
}
