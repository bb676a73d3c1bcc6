import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { BenchmarkSkipped } from './benchmark.js';
import { BENCHMARKS } from './benchmarks/index.js';
import { parseCliOptions, USAGE } from './cli-options.js';
import { busyMachineWarning, machineNote } from './machine.js';
import { type BenchmarkOutcome, describeRatios, formatTable } from './report.js';
import { runBenchmark } from './runner.js';
import { ServerProcess } from './support/server-process.js';

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    ServerProcess.killAll();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    const width = Math.max(...BENCHMARKS.map((b) => b.name.length));
    console.log(
      `${USAGE}\n\nBenchmarks:\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(width)}  ${b.description}`).join('\n')}`,
    );
    return 0;
  }
  const unknown = options.only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown benchmark: ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = BENCHMARKS.filter((b) => !options.only || options.only.includes(b.name));

  if (options.cpuProfileDir) {
    ServerProcess.profileInto(resolve(options.cpuProfileDir));
    log(
      `CPU profiles of the servers go to ${resolve(options.cpuProfileDir)} (profiling slows them: not for comparing numbers)`,
    );
  }
  if (options.allocationProfileDir) {
    ServerProcess.sampleAllocationsInto(resolve(options.allocationProfileDir));
    log(
      `allocation profiles of the servers go to ${resolve(options.allocationProfileDir)} (sampling slows them: not for comparing timings)`,
    );
  }
  log(machineNote());
  const loadAverageAtStart = loadavg()[0];
  const busy = busyMachineWarning(loadAverageAtStart);
  if (busy) log(busy);
  const results: Record<string, BenchmarkOutcome> = {};
  for (const benchmark of selected) {
    log(`${benchmark.name}: ${benchmark.description}`);
    try {
      results[benchmark.name] = await runBenchmark(benchmark, { ...options, loadAverageAtStart, log });
    } catch (error) {
      if (error instanceof BenchmarkSkipped) {
        log(`${benchmark.name} skipped: ${error.message}`);
        results[benchmark.name] = { skipped: error.message };
        continue;
      }
      log(`${benchmark.name} FAILED: ${(error as Error).stack ?? error}`);
      results[benchmark.name] = { error: (error as Error).message };
    }
  }

  console.log(`\n${machineNote()}`);
  if (busy) console.log(busy);
  const busyRounds = Object.entries(results).filter(
    ([, result]) => 'busyRounds' in result && result.busyRounds.length > 0,
  );
  if (busyRounds.length > 0)
    console.log(
      `Warning: the load average was above the core count during rounds of ${busyRounds.map(([name]) => name).join(', ')}; their req/s are noisy, their CPU µs/op less so.`,
    );
  console.log(
    `${options.rounds} rounds of ${options.secondsPerRound} s per side (alternating which side goes first) after ${options.warmUpSeconds} s of warm-up; medians; ${describeRatios(selected)}.`,
  );
  console.log(
    'CPU µs/op: CPU time of the server process(es) per request or operation, all threads (main thread, i.e. the event loop, in parentheses); it moves far less than req/s when other work shares the machine.\n',
  );
  console.log(formatTable(selected, results));
  if (options.json) console.log(JSON.stringify(results));
  return Object.values(results).some((result) => 'error' in result) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    ServerProcess.killAll();
    console.error(error);
    process.exitCode = 1;
  },
);
