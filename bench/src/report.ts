import { availableParallelism, cpus } from 'node:os';
import type { Benchmark } from './benchmark.js';
import type { BenchmarkResult, SideResult } from './runner.js';

/** A warning when other work already keeps the cores busy (1-minute load average above the core count). */
export function busyMachineWarning(load: number): string | undefined {
  const cores = availableParallelism();
  return load > cores
    ? `Warning: the 1-minute load average is ${load.toFixed(1)} on ${cores} cores; other work competes with the benchmark, so req/s and ratios are noisy (compare CPU µs/req instead).`
    : undefined;
}

/** The machine, which every number depends on: the servers and the load generator share its cores. */
export function machineNote(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${availableParallelism()} CPU cores (${model}), Node ${process.version}, ${process.platform}. Each server runs in its own process; the load generator (autocannon) runs in the benchmark process on the same cores.`;
}

/** What one benchmark gave: its result, or why it failed, or why it did not run. */
export type BenchmarkOutcome = BenchmarkResult | { error: string } | { skipped: string };

export function formatTable(benchmarks: readonly Benchmark[], results: Record<string, BenchmarkOutcome>): string {
  const rows: string[][] = [
    ['benchmark', 'side', 'what', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req (main)', 'ratio', 'target'],
  ];
  for (const benchmark of benchmarks) {
    const result = results[benchmark.name];
    if (!result) continue;
    if ('error' in result) {
      rows.push([benchmark.name, '', `FAILED: ${result.error}`, '', '', '', '', '', '']);
      continue;
    }
    if ('skipped' in result) {
      rows.push([benchmark.name, '', `skipped: ${result.skipped}`, '', '', '', '', '', '']);
      continue;
    }
    const verdict = `≥ ${benchmark.target}× ${result.met ? 'met' : 'MISSED'}`;
    rows.push([benchmark.name, 'ours', ...cells(result.ours), `${result.ratio.toFixed(2)}×`, verdict]);
    rows.push(...partRows(result.ours));
    rows.push(['', 'baseline', ...cells(result.baseline), '', '']);
    rows.push(...partRows(result.baseline));
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const numeric = new Set([3, 4, 5, 6, 7]);
  return rows
    .map((row) =>
      row
        .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function cells(side: SideResult): string[] {
  return [
    side.label,
    side.rps === undefined ? '–' : side.rps.toLocaleString('en-US'),
    side.p50Ms.toFixed(2),
    side.p99Ms.toFixed(2),
    side.cpuUsPerOp === undefined ? '–' : `${side.cpuUsPerOp} (${side.mainThreadCpuUsPerOp ?? '–'})`,
  ];
}

/** One indented row per part of a side's operation (latencies only). */
function partRows(side: SideResult): string[][] {
  return Object.entries(side.parts ?? {}).map(([name, part]) => [
    '',
    '',
    `  · ${name}`,
    '',
    part.p50Ms.toFixed(2),
    part.p99Ms.toFixed(2),
    '',
    '',
    '',
  ]);
}

export function describeRatios(benchmarks: readonly Benchmark[]): string {
  const kinds = new Set(benchmarks.map((b) => b.kind));
  const parts = [];
  if (kinds.has('throughput')) parts.push('throughput: ours req/s ÷ baseline req/s');
  if (kinds.has('latency')) parts.push('latency: baseline p99 ÷ ours p99');
  return `ratio (higher is better) = ${parts.join('; ')}`;
}
