import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, Contender, Latency, Measurement } from './benchmark.js';
import { busyMachineWarning } from './machine.js';
import { mebibytes } from './report.js';
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

/** Ours against one baseline. */
export interface Comparison {
  /** Throughput: ours req/s ÷ the baseline's; latency: the baseline's p99 ÷ ours (above 1 is better). */
  ratio: number;
  /** The baseline's server CPU µs/op ÷ ours (above 1 is better), when both sides were measured. */
  cpuRatio?: number;
  /** Ours server CPU µs/op minus the baseline's: what ours spends on top per operation. */
  cpuOverheadUsPerOp?: number;
  /**
   * The least and the most ours spent on top in a single round (each round measures both sides back
   * to back): how far the machine's noise moves `cpuOverheadUsPerOp`.
   */
  cpuOverheadRangeUs?: [number, number];
  target?: number;
  /** The bound on `cpuOverheadUsPerOp`, when the benchmark has one. */
  cpuOverheadTargetUs?: number;
  /** The bound on `cpuRatio`, when the benchmark has one. */
  cpuRatioTarget?: number;
  met?: boolean;
}

export interface BenchmarkResult extends Comparison {
  target: number;
  met: boolean;
  ours: SideResult;
  baseline: SideResult;
  /** The further baselines (e.g. Mosquitto, the bare limit), each with its side and its ratios. */
  further?: Record<string, Comparison & { side: SideResult }>;
  conditions: Record<string, string | number>;
  /** The machine's 1-minute load average at the end of each round. */
  loadAverages: number[];
  /** The rounds (1-based) after which it was above the core count: other work competed with them. */
  busyRounds: number[];
}

type Side = 'ours' | 'baseline' | `further:${string}`;

/**
 * Sets the benchmark up, warms every side, then measures them in alternating order (baselines,
 * ours; ours, baselines; …) so that drift and noise on the machine hit all of them, and reports
 * the median of each metric over the rounds.
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
      const further = session.furtherBaselines ?? [];
      const contenders = new Map<Side, Contender>([
        ['baseline', session.baseline],
        ...further.map(({ name, contender }) => [`further:${name}`, contender] as [Side, Contender]),
        ['ours', session.ours],
      ]);
      if (options.warmUpSeconds > 0) {
        for (const [side, contender] of contenders) {
          log(`warming up ${side} (${options.warmUpSeconds} s)`);
          await contender.run(options.warmUpSeconds);
        }
      }
      const rounds = new Map<Side, Measurement[]>([...contenders.keys()].map((side) => [side, []]));
      const loadAverages: number[] = [];
      const busyRounds: number[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        const order = [...contenders.keys()];
        if (round % 2 === 0) order.reverse();
        for (const side of order) {
          const measured = await contenders.get(side)!.run(options.secondsPerRound);
          rounds.get(side)!.push(measured);
          log(`round ${round}/${options.rounds} ${side.padEnd(8)} ${describe(measured)}`);
        }
        const load = round2(loadavg()[0]);
        loadAverages.push(load);
        const busy = busyMachineWarning(load);
        if (busy) {
          busyRounds.push(round);
          log(`round ${round}: ${busy}`);
        }
      }
      const ours = summarise(session.ours.label, rounds.get('ours')!);
      const baseline = summarise(session.baseline.label, rounds.get('baseline')!);
      const headline = compare(benchmark.kind, ours, baseline);
      return {
        ...headline,
        target: benchmark.target,
        ...(benchmark.cpuOverheadTargetUs !== undefined && { cpuOverheadTargetUs: benchmark.cpuOverheadTargetUs }),
        ...(benchmark.cpuRatioTarget !== undefined && { cpuRatioTarget: benchmark.cpuRatioTarget }),
        met: meets(benchmark, headline),
        ours,
        baseline,
        ...(further.length > 0 && {
          further: Object.fromEntries(
            further.map(({ name, contender, target }) => {
              const side = summarise(contender.label, rounds.get(`further:${name}`)!);
              const comparison = compare(benchmark.kind, ours, side);
              return [
                name,
                {
                  ...comparison,
                  ...(target !== undefined && { target, met: comparison.ratio >= target }),
                  side,
                },
              ];
            }),
          ),
        }),
        conditions: {
          ...session.conditions,
          secondsPerRound: options.secondsPerRound,
          rounds: options.rounds,
          cpuCores: availableParallelism(),
          // Other work on the machine skews req/s (every side, thanks to the alternation, but not equally).
          loadAverageAtStart: round2(options.loadAverageAtStart),
        },
        loadAverages,
        busyRounds,
      };
    } finally {
      await session.teardown();
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/**
 * The ratio reaches the target and, when the benchmark bounds them, the CPU spent on top stays within
 * its bound and the CPU ratio reaches its own.
 */
export function meets(
  benchmark: Pick<Benchmark, 'target' | 'cpuOverheadTargetUs' | 'cpuRatioTarget'>,
  comparison: Comparison,
): boolean {
  if (comparison.ratio < benchmark.target) return false;
  const { cpuOverheadTargetUs, cpuRatioTarget } = benchmark;
  if (cpuOverheadTargetUs !== undefined && !(comparison.cpuOverheadUsPerOp! <= cpuOverheadTargetUs)) return false;
  if (cpuRatioTarget !== undefined && !(comparison.cpuRatio! >= cpuRatioTarget)) return false;
  return true;
}

/**
 * Ours against one baseline: the benchmark's own ratio, and the CPU per operation both ways (with,
 * when both sides carry their rounds, the range of what ours spent on top round by round).
 */
export function compare(
  kind: Benchmark['kind'],
  ours: Measurement & { rounds?: Measurement[] },
  baseline: Measurement & { rounds?: Measurement[] },
): Comparison {
  const ratio = round2(
    kind === 'throughput'
      ? ours.rps! / baseline.rps!
      : kind === 'memory'
        ? baseline.memoryBytesPerOp! / ours.memoryBytesPerOp!
        : baseline.p99Ms / ours.p99Ms,
  );
  if (ours.cpuUsPerOp === undefined || baseline.cpuUsPerOp === undefined) return { ratio };
  const range = roundByRoundOverhead(ours.rounds, baseline.rounds);
  return {
    ratio,
    cpuRatio: round2(baseline.cpuUsPerOp / ours.cpuUsPerOp),
    cpuOverheadUsPerOp: ours.cpuUsPerOp - baseline.cpuUsPerOp,
    ...(range && { cpuOverheadRangeUs: range }),
  };
}

function roundByRoundOverhead(
  ours: Measurement[] | undefined,
  baseline: Measurement[] | undefined,
): [number, number] | undefined {
  if (!ours || !baseline || ours.length < 2 || ours.length !== baseline.length) return undefined;
  const overheads: number[] = [];
  for (const [index, round] of ours.entries()) {
    const theirs = baseline[index].cpuUsPerOp;
    if (round.cpuUsPerOp === undefined || theirs === undefined) return undefined;
    overheads.push(round.cpuUsPerOp - theirs);
  }
  return [Math.min(...overheads), Math.max(...overheads)];
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
    memoryBytesPerOp: optional((m) => m.memoryBytesPerOp),
    idleMemoryBytes: optional((m) => m.idleMemoryBytes),
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
    ...(m.memoryBytesPerOp === undefined ? {} : { memoryBytesPerOp: Math.round(m.memoryBytesPerOp) }),
    ...(m.idleMemoryBytes === undefined ? {} : { idleMemoryBytes: Math.round(m.idleMemoryBytes) }),
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
      : `  server CPU ${Math.round(m.cpuUsPerOp)} µs/op${
          m.mainThreadCpuUsPerOp === undefined ? '' : ` (main thread ${Math.round(m.mainThreadCpuUsPerOp)})`
        }`;
  const parts = Object.entries(m.parts ?? {})
    .map(([name, part]) => `  ${name}: p50 ${part.p50Ms.toFixed(2)} p99 ${part.p99Ms.toFixed(2)}`)
    .join('');
  const memory = m.memoryBytesPerOp === undefined ? '' : `memory ${(m.memoryBytesPerOp / 1024).toFixed(1)} KiB/op  `;
  const idle = m.idleMemoryBytes === undefined ? '' : `idle ${mebibytes(m.idleMemoryBytes)} MiB  `;
  return `${m.rps === undefined ? '' : `${Math.round(m.rps)}/s  `}${memory}${idle}p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms${cpu}${parts}`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
