import { spawn } from 'node:child_process';
import { builtApp } from './app-process.js';

/** How a `tollgate` run ended, and what it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI as a person runs it, with only these environment variables (and PATH): `run`
 * fills as it prints (to wait for the device code), `done` settles when it exits.
 */
export function startCli(args: string[], env: Record<string, string>): { run: CliRun; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [builtApp('cli'), ...args], { env: { PATH: process.env.PATH, ...env } });
  const run: CliRun = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  return { run, done: new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ ...run, code }))) };
}
