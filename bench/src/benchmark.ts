import type { ScaledInfrastructure } from './cli-options.js';

/** One side's numbers for one round, or the median over rounds. */
export interface Measurement {
  /** Requests (or operations) per second; throughput benchmarks only. */
  rps?: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time the server process(es) spent per request or operation, in µs (Linux only). */
  cpuUsPerOp?: number;
  /** The part of it on the servers' main threads (their event loops). */
  mainThreadCpuUsPerOp?: number;
  /** Memory the server process(es) hold per operation in progress (e.g. per live session), in bytes. */
  memoryBytesPerOp?: number;
  /** Resident memory of the server process(es) before the first operation (a broker without sessions), in bytes. */
  idleMemoryBytes?: number;
  /** Latencies of the parts of one operation (e.g. each place a revocation must reach), shown under the side's row. */
  parts?: Record<string, Latency>;
}

export interface Latency {
  p50Ms: number;
  p99Ms: number;
}

/** One of the two things compared: ours, or the baseline. */
export interface Contender {
  /** What runs, e.g. "auth-server (SQLite, audit on)". */
  label: string;
  /** Puts load on this contender for `seconds` and measures it; throws if any request fails. */
  run(seconds: number): Promise<Measurement>;
}

export interface BenchmarkContext {
  /** A fresh temporary directory for databases and keys; removed after the benchmark. */
  tempDir: string;
  /** Concurrent connections or clients, when the user set --connections. */
  connections?: number;
  /** --quick: skip what takes long to set up (e.g. a million stored API keys). */
  quick: boolean;
  /** PostgreSQL and Redis for the scaled shape, when configured. */
  scaled?: ScaledInfrastructure;
  /** A progress line on stderr. */
  log(message: string): void;
}

/** A further baseline, measured in the same rounds as the main one and reported beside it with its own ratio. */
export interface FurtherBaseline {
  /** The key in the JSON output, e.g. `mosquitto` or `bareLimit`. */
  name: string;
  contender: Contender;
  /** The ratio ours should reach against this one, when the issue set one; otherwise reported only. */
  target?: number;
}

/** What setup hands to the runner: both contenders running and checked, and how to stop them. */
export interface BenchmarkSession {
  ours: Contender;
  baseline: Contender;
  /** Other baselines for the same operation (e.g. Mosquitto beside plain aedes). */
  furtherBaselines?: FurtherBaseline[];
  /** Load shape, for the report (e.g. `{ connections: 48 }`). */
  conditions: Record<string, string | number>;
  teardown(): Promise<void>;
}

/**
 * Thrown by `setup` when the benchmark cannot run here and that is not a failure (e.g. PostgreSQL
 * and Redis are not configured, or --quick asked to leave out a slow side): reported, not failed.
 */
export class BenchmarkSkipped extends Error {
  override name = 'BenchmarkSkipped';
}

/**
 * A comparison of ours against a baseline, run side by side. `throughput` benchmarks compare
 * `rps` (ratio = ours ÷ baseline); `latency` benchmarks compare p99 (ratio = baseline p99 ÷ ours),
 * so a ratio above 1 always means ours is better. Adding a benchmark is one file exporting one of
 * these, listed in benchmarks/index.ts. `memory` benchmarks compare `memoryBytesPerOp` (ratio =
 * baseline ÷ ours, so 0.77 means ours holds 1.3× the baseline's memory per operation).
 */
export interface Benchmark {
  /** The key in the JSON output and the value for --only. */
  name: string;
  description: string;
  kind: 'throughput' | 'latency' | 'memory';
  /** The ratio this benchmark should reach (from the issue that asked for it). */
  target: number;
  /** At most this much server CPU (µs per operation) on top of the baseline, when the issue set a bound; met needs both. */
  cpuOverheadTargetUs?: number;
  /** At least this CPU ratio (the baseline's server CPU µs/op ÷ ours), when the issue set one; met needs it too. */
  cpuRatioTarget?: number;
  /**
   * Starts both contenders (each server in its own process), seeds data and checks that both
   * answer the measured request correctly, failing loudly otherwise.
   */
  setup(context: BenchmarkContext): Promise<BenchmarkSession>;
}
