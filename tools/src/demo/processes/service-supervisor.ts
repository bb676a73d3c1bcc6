import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { displayPath } from '../console-output.js';
import { type ServiceExit, ServiceProcess, type ServiceSpec } from './service-process.js';

/** A service exited when it should have been running, or never became ready. */
export class ServiceFailedError extends Error {
  override name = 'ServiceFailedError';

  constructor(
    readonly service: string,
    reason: string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`${service} ${reason}; last lines of ${logFile}:\n${logTail.replace(/^/gm, '    │ ')}`);
  }
}

function describeExit(exit: ServiceExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Starts the demo's services, waits until each is ready, notices any that dies, and stops them all
 * (in reverse order, each with SIGTERM and then SIGKILL).
 */
export class ServiceSupervisor {
  private readonly services: ServiceProcess[] = [];
  private failWith!: (error: ServiceFailedError) => void;
  /** Rejects with the first service that exits while it should be running. */
  readonly failure: Promise<never>;

  constructor(private readonly options: { cwd: string; logDir: string; preload: string }) {
    mkdirSync(options.logDir, { recursive: true, mode: 0o700 });
    this.failure = new Promise<never>((_resolve, reject) => (this.failWith = reject));
    this.failure.catch(() => undefined);
  }

  logFileOf(name: string): string {
    return join(this.options.logDir, `${name}.log`);
  }

  /** Starts the service and resolves with its readiness description; rejects if it exits first or is not ready in time. */
  async start(spec: ServiceSpec, timeoutMs = 60_000): Promise<string> {
    const service = new ServiceProcess(spec, this.logFileOf(spec.name), {
      cwd: this.options.cwd,
      preload: this.options.preload,
    });
    this.services.push(service);
    service.start();
    let ready = false;
    void service.exited.then((exit) => {
      if (!service.stopping)
        this.failWith(
          this.failed(
            service,
            ready ? `stopped unexpectedly (${describeExit(exit)})` : `${describeExit(exit)} before it was ready`,
          ),
        );
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!service.running) throw this.failed(service, `${describeExit(await service.exited)} before it was ready`);
      const detail = await spec.ready().catch(() => undefined);
      if (detail !== undefined) {
        ready = true;
        return detail;
      }
      if (Date.now() > deadline) throw this.failed(service, `was not ready after ${Math.round(timeoutMs / 1000)} s`);
      await sleep(100);
    }
  }

  /** Stops every service, the last started first. */
  async stopAll(): Promise<void> {
    for (const service of [...this.services].reverse()) await service.stop();
  }

  /** SIGKILL to every service still running, synchronously (the demo is exiting). */
  killAllNow(): void {
    for (const service of this.services) service.killNow();
  }

  private failed(service: ServiceProcess, reason: string): ServiceFailedError {
    return new ServiceFailedError(service.name, reason, displayPath(service.logFile), service.tail());
  }
}
