import type { Measurement } from '../benchmark.js';
import type { CpuTime, ServerProcess } from './server-process.js';

/**
 * Runs `measure` and adds the CPU time the `servers` (the processes doing the work) spent per
 * operation it counted: all their threads, and their main threads alone. Without /proc (not
 * Linux), the measurement comes back without CPU figures.
 */
export async function withServerCpu(
  servers: ServerProcess[],
  measure: () => Promise<Measurement & { operations: number }>,
): Promise<Measurement> {
  const before = totalCpuTimeMs(servers);
  const { operations, ...measured } = await measure();
  const after = totalCpuTimeMs(servers);
  if (before === undefined || after === undefined || operations === 0) return measured;
  const perOperation = (ms: number) => (ms * 1000) / operations;
  return {
    ...measured,
    cpuUsPerOp: perOperation(after.total - before.total),
    mainThreadCpuUsPerOp: perOperation(after.mainThread - before.mainThread),
  };
}

function totalCpuTimeMs(servers: ServerProcess[]): CpuTime | undefined {
  const sum = { total: 0, mainThread: 0 };
  for (const server of servers) {
    const used = server.cpuTimeMs();
    if (used === undefined) return undefined;
    sum.total += used.total;
    sum.mainThread += used.mainThread;
  }
  return sum;
}
