import type { Logger } from 'pino';
import { stopTracing, tracingStarted } from '../tracing/start-tracing.js';

/** One part of a shutdown, named as the log names it when it fails or does not finish. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Run in order. A step that fails is logged and the next still runs: buffered writes are flushed even when a request had to be cut. */
  steps: ShutdownStep[];
  /** Past this the shutdown is abandoned, whatever still runs. */
  deadlineMs?: number;
}

/** Every app is gone within 10 s of SIGTERM, even when a drain is stuck (the margin covers the exit itself). */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * Runs the steps of a shutdown and resolves to the exit code: 0 when every step finished, 1 when
 * one failed or the deadline passed, with an error line naming what did not finish.
 */
export async function shutDown({ logger, steps, deadlineMs = SHUTDOWN_DEADLINE_MS }: ShutdownOptions): Promise<number> {
  let current: ShutdownStep | undefined;
  let failed = false;
  const run = (async () => {
    for (const step of steps) {
      current = step;
      try {
        await step.run();
      } catch (error) {
        failed = true;
        logger.error(
          { err: error, step: step.name },
          `shutdown: ${step.name} did not finish: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    current = undefined;
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
  const outcome = await Promise.race([run.then(() => 'finished' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    logger.error(
      { step: current?.name, deadlineMs },
      `shutdown did not finish within ${deadlineMs / 1000} s: still ${current?.name}; exiting anyway`,
    );
    return 1;
  }
  return failed ? 1 : 0;
}

/**
 * On the first SIGTERM or SIGINT, shuts down (`shutDown`) and exits with its code. A repeated
 * signal (Ctrl-C reaches both npm and node) neither restarts nor cuts the shutdown: the deadline bounds it.
 */
export function exitOnShutdownSignals(options: ShutdownOptions): void {
  let started = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (started) return;
      started = true;
      options.logger.info({ signal }, 'shutting down');
      // Last, so that the spans of the steps themselves are exported too.
      const steps = tracingStarted() ? [...options.steps, { name: 'trace export', run: stopTracing }] : options.steps;
      void shutDown({ ...options, steps }).then((code) => {
        if (code === 0) options.logger.info('shut down cleanly');
        process.exit(code);
      });
    });
  }
}
