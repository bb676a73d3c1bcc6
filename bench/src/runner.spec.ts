import type { Benchmark, Contender, Measurement } from './benchmark.js';
import { formatTable } from './report.js';
import { compare, meets, runBenchmark } from './runner.js';

/** A contender that answers the same measurement every round and counts its runs. */
function steady(label: string, measurement: Measurement): Contender & { runs: number[] } {
  const runs: number[] = [];
  return {
    label,
    runs,
    run: async (seconds) => {
      runs.push(seconds);
      return measurement;
    },
  };
}

describe('compare', () => {
  it('gives the throughput ratio, the CPU ratio and the CPU spent on top per operation', () => {
    expect(
      compare(
        'throughput',
        { rps: 900, p50Ms: 1, p99Ms: 2, cpuUsPerOp: 600 },
        { rps: 1000, p50Ms: 1, p99Ms: 2, cpuUsPerOp: 540 },
      ),
    ).toEqual({ ratio: 0.9, cpuRatio: 0.9, cpuOverheadUsPerOp: 60 });
  });

  it('gives the range of the CPU spent on top round by round, pairing the rounds of both sides', () => {
    const round = (cpuUsPerOp: number): Measurement => ({ rps: 1000, p50Ms: 1, p99Ms: 2, cpuUsPerOp });
    expect(
      compare(
        'throughput',
        { ...round(600), rounds: [round(500), round(600), round(700)] },
        { ...round(540), rounds: [round(520), round(540), round(560)] },
      ),
    ).toEqual({ ratio: 1, cpuRatio: 0.9, cpuOverheadUsPerOp: 60, cpuOverheadRangeUs: [-20, 140] });
  });

  it('compares memory per operation for memory benchmarks (below 1: ours holds more)', () => {
    expect(
      compare(
        'memory',
        { p50Ms: 1, p99Ms: 1, memoryBytesPerOp: 40_000 },
        { p50Ms: 1, p99Ms: 1, memoryBytesPerOp: 30_000 },
      ).ratio,
    ).toBe(0.75);
  });

  it('compares p99 for latency benchmarks, and leaves the CPU out when a side has no CPU figure', () => {
    expect(compare('latency', { p50Ms: 1, p99Ms: 4 }, { p50Ms: 1, p99Ms: 8, cpuUsPerOp: 10 })).toEqual({ ratio: 2 });
  });
});

describe('meets', () => {
  it('needs the ratio and, when the benchmark bounds it, the CPU spent on top', () => {
    const within = { ratio: 1, cpuRatio: 0.95, cpuOverheadUsPerOp: 20 };
    const over = { ratio: 1, cpuRatio: 0.9, cpuOverheadUsPerOp: 40 };
    expect(meets({ target: 0.95 }, over)).toBe(true);
    expect(meets({ target: 0.95, cpuOverheadTargetUs: 25 }, within)).toBe(true);
    expect(meets({ target: 0.95, cpuOverheadTargetUs: 25 }, over)).toBe(false);
    expect(meets({ target: 0.95, cpuOverheadTargetUs: 25 }, { ratio: 0.9, cpuOverheadUsPerOp: 0 })).toBe(false);
    expect(meets({ target: 0.95, cpuOverheadTargetUs: 25 }, { ratio: 1 })).toBe(false);
  });

  it('needs the CPU ratio too when the benchmark sets one (the token endpoint: 2× in CPU per token)', () => {
    expect(meets({ target: 1, cpuRatioTarget: 2 }, { ratio: 1.5, cpuRatio: 2.1, cpuOverheadUsPerOp: -150 })).toBe(true);
    expect(meets({ target: 1, cpuRatioTarget: 2 }, { ratio: 1.5, cpuRatio: 1.6, cpuOverheadUsPerOp: -100 })).toBe(
      false,
    );
    expect(meets({ target: 1, cpuRatioTarget: 2 }, { ratio: 1.5 })).toBe(false);
    expect(meets({ target: 1, cpuRatioTarget: 2 }, { ratio: 0.9, cpuRatio: 2.1 })).toBe(false);
  });
});

describe('runBenchmark', () => {
  it('measures every side each round, reports further baselines with their own ratio and target, and records the load', async () => {
    const ours = steady('ours', { rps: 800, p50Ms: 1, p99Ms: 2, cpuUsPerOp: 500 });
    const baseline = steady('plain', { rps: 1000, p50Ms: 1, p99Ms: 2, cpuUsPerOp: 400 });
    const other = steady('other', { rps: 1600, p50Ms: 1, p99Ms: 2, cpuUsPerOp: 250 });
    let tornDown = false;
    const benchmark: Benchmark = {
      name: 'fake',
      description: 'a fake benchmark',
      kind: 'throughput',
      target: 0.75,
      setup: async () => ({
        ours,
        baseline,
        furtherBaselines: [{ name: 'other', contender: other, target: 0.8 }],
        conditions: { connections: 1 },
        teardown: async () => {
          tornDown = true;
        },
      }),
    };
    const result = await runBenchmark(benchmark, {
      secondsPerRound: 2,
      rounds: 3,
      warmUpSeconds: 1,
      quick: true,
      loadAverageAtStart: 0,
      log: () => undefined,
    });
    for (const side of [ours, baseline, other]) expect(side.runs).toEqual([1, 2, 2, 2]);
    expect(result).toMatchObject({
      ratio: 0.8,
      cpuRatio: 0.8,
      cpuOverheadUsPerOp: 100,
      target: 0.75,
      met: true,
      further: { other: { ratio: 0.5, cpuRatio: 0.5, cpuOverheadUsPerOp: 250, target: 0.8, met: false } },
    });
    expect(result.further!.other.side).toMatchObject({ label: 'other', rps: 1600 });
    expect(result.loadAverages).toHaveLength(3);
    expect(tornDown).toBe(true);
  });

  it("reports each side's resident memory before its first operation, the median of the rounds, in the table too", async () => {
    const MiB = 1024 * 1024;
    const sequence = (label: string, idleMiB: number[]): Contender => ({
      label,
      // A warm-up run, then one per round.
      run: async () => ({ p50Ms: 1, p99Ms: 2, memoryBytesPerOp: 3072, idleMemoryBytes: idleMiB.shift()! * MiB }),
    });
    const benchmark: Benchmark = {
      name: 'sessions',
      description: 'a fake memory benchmark',
      kind: 'memory',
      target: 1,
      setup: async () => ({
        ours: sequence('ours', [99, 90, 88, 95]),
        baseline: sequence('plain', [99, 60, 61, 59]),
        conditions: {},
        teardown: async () => undefined,
      }),
    };
    const result = await runBenchmark(benchmark, {
      secondsPerRound: 1,
      rounds: 3,
      warmUpSeconds: 1,
      quick: true,
      loadAverageAtStart: 0,
      log: () => undefined,
    });
    expect(result.ours.idleMemoryBytes).toBe(90 * MiB);
    expect(result.baseline.idleMemoryBytes).toBe(60 * MiB);
    expect(result.ours.rounds.map((round) => round.idleMemoryBytes)).toEqual([90, 88, 95].map((n) => n * MiB));
    const table = formatTable([benchmark], { sessions: result });
    expect(table).toContain('3.0 (90.0)');
    expect(table).toContain('3.0 (60.0)');
  });
});
