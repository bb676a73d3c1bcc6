import { availableParallelism, cpus } from 'node:os';

/** A warning when other work already keeps the cores busy (1-minute load average above the core count). */
export function busyMachineWarning(load: number): string | undefined {
  const cores = availableParallelism();
  return load > cores
    ? `Warning: the 1-minute load average is ${load.toFixed(1)} on ${cores} cores; other work competes with the benchmark, so req/s and ratios are noisy (compare CPU µs/op instead).`
    : undefined;
}

/** The machine, which every number depends on: the servers and the load generator share its cores. */
export function machineNote(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${availableParallelism()} CPU cores (${model}), Node ${process.version}, ${process.platform}. Each server runs in its own process; the load generator (autocannon) runs in the benchmark process on the same cores.`;
}
