import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, Contender, Latency, Measurement } from './benchmark.js';
import type { ScaledInfrastructure } from './cli-options.js';
import { median } from './support/statistics.js';

export interface RunOptions {
  secondsPerRound: number;
  rounds: number;
  warmUpSeconds: number;
  connections?: number;
  quick: boolean;
  scaled?: ScaledInfrastructure;
  /** The machine's 1-minute load average before the run began. */
  loadAverageAtStart: number;
  log(message: string): void;
}

export interface SideResult extends Measurement {
  label: string;
  rounds: Measurement[];
}

export interface BenchmarkResult {
  ratio: number;
  target: number;
  met: boolean;
  ours: SideResult;
  baseline: SideResult;
  conditions: Record<string, string | number>;
}

type Side = 'ours' | 'baseline';

/**
 * Sets the benchmark up, warms both sides, then measures them in alternating order (baseline,
 * ours; ours, baseline; …) so that drift and noise on the machine hit both, and reports the
 * median of each metric over the rounds.
 */
export async function runBenchmark(benchmark: Benchmark, options: RunOptions): Promise<BenchmarkResult> {
  const log = (message: string) => options.log(`${benchmark.name}: ${message}`);
  const tempDir = mkdtempSync(join(tmpdir(), `tollgate-bench-${benchmark.name}-`));
  try {
    const session = await benchmark.setup({
      tempDir,
      connections: options.connections,
      quick: options.quick,
      scaled: options.scaled,
      log,
    });
    try {
      const contenders: Record<Side, Contender> = { ours: session.ours, baseline: session.baseline };
      if (options.warmUpSeconds > 0) {
        for (const side of ['baseline', 'ours'] as const) {
          log(`warming up ${side} (${options.warmUpSeconds} s)`);
          await contenders[side].run(options.warmUpSeconds);
        }
      }
      const rounds: Record<Side, Measurement[]> = { ours: [], baseline: [] };
      for (let round = 1; round <= options.rounds; round++) {
        const order: Side[] = round % 2 === 1 ? ['baseline', 'ours'] : ['ours', 'baseline'];
        for (const side of order) {
          const measured = await contenders[side].run(options.secondsPerRound);
          rounds[side].push(measured);
          log(`round ${round}/${options.rounds} ${side.padEnd(8)} ${describe(measured)}`);
        }
      }
      const ours = summarise(session.ours.label, rounds.ours);
      const baseline = summarise(session.baseline.label, rounds.baseline);
      const ratio = round2(benchmark.kind === 'throughput' ? ours.rps! / baseline.rps! : baseline.p99Ms / ours.p99Ms);
      return {
        ratio,
        target: benchmark.target,
        met: ratio >= benchmark.target,
        ours,
        baseline,
        conditions: {
          ...session.conditions,
          secondsPerRound: options.secondsPerRound,
          rounds: options.rounds,
          cpuCores: availableParallelism(),
          // Other work on the machine skews req/s (both sides, thanks to the alternation, but not equally).
          loadAverageAtStart: round2(options.loadAverageAtStart),
        },
      };
    } finally {
      await session.teardown();
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

function summarise(label: string, rounds: Measurement[]): SideResult {
  return { label, ...rounded(medianOf(rounds)), rounds: rounds.map(rounded) };
}

/** The median of each metric separately (optional metrics only when every round has them). */
function medianOf(rounds: Measurement[]): Measurement {
  const optional = (pick: (m: Measurement) => number | undefined) =>
    rounds.every((m) => pick(m) !== undefined) ? median(rounds.map((m) => pick(m)!)) : undefined;
  return {
    rps: optional((m) => m.rps),
    p50Ms: median(rounds.map((m) => m.p50Ms)),
    p99Ms: median(rounds.map((m) => m.p99Ms)),
    cpuUsPerOp: optional((m) => m.cpuUsPerOp),
    mainThreadCpuUsPerOp: optional((m) => m.mainThreadCpuUsPerOp),
    parts: medianParts(rounds),
  };
}

/** The median of each part's p50 and p99 over the rounds that measured it. */
function medianParts(rounds: Measurement[]): Record<string, Latency> | undefined {
  const names = [...new Set(rounds.flatMap((m) => Object.keys(m.parts ?? {})))];
  if (names.length === 0) return undefined;
  const of = (name: string) => rounds.map((m) => m.parts?.[name]).filter((part): part is Latency => part !== undefined);
  return Object.fromEntries(
    names.map((name) => [
      name,
      { p50Ms: median(of(name).map((part) => part.p50Ms)), p99Ms: median(of(name).map((part) => part.p99Ms)) },
    ]),
  );
}

function rounded(m: Measurement): Measurement {
  return {
    ...(m.rps === undefined ? {} : { rps: Math.round(m.rps) }),
    p50Ms: round2(m.p50Ms),
    p99Ms: round2(m.p99Ms),
    ...(m.cpuUsPerOp === undefined ? {} : { cpuUsPerOp: Math.round(m.cpuUsPerOp) }),
    ...(m.mainThreadCpuUsPerOp === undefined ? {} : { mainThreadCpuUsPerOp: Math.round(m.mainThreadCpuUsPerOp) }),
    ...(m.parts === undefined
      ? {}
      : {
          parts: Object.fromEntries(
            Object.entries(m.parts).map(([name, part]) => [
              name,
              { p50Ms: round2(part.p50Ms), p99Ms: round2(part.p99Ms) },
            ]),
          ),
        }),
  };
}

function describe(m: Measurement): string {
  const cpu =
    m.cpuUsPerOp === undefined
      ? ''
      : `  server CPU ${Math.round(m.cpuUsPerOp)} µs/op (main thread ${Math.round(m.mainThreadCpuUsPerOp ?? Number.NaN)})`;
  const parts = Object.entries(m.parts ?? {})
    .map(([name, part]) => `  ${name}: p50 ${part.p50Ms.toFixed(2)} p99 ${part.p99Ms.toFixed(2)}`)
    .join('');
  return `${m.rps === undefined ? '' : `${Math.round(m.rps)}/s  `}p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms${cpu}${parts}`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
