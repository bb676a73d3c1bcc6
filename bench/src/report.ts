import type { Benchmark } from './benchmark.js';
import type { BenchmarkResult, Comparison, SideResult } from './runner.js';

/** What one benchmark gave: its result, or why it failed, or why it did not run. */
export type BenchmarkOutcome = BenchmarkResult | { error: string } | { skipped: string };

export function formatTable(benchmarks: readonly Benchmark[], results: Record<string, BenchmarkOutcome>): string {
  const header = [
    'benchmark',
    'side',
    'what',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/op (main)',
    'KiB/op (idle MiB)',
    'ratio',
    'CPU ratio',
  ];
  const rows: string[][] = [[...header, 'target']];
  const note = (name: string, text: string) => [name, '', text, ...header.slice(3).map(() => ''), ''];
  for (const benchmark of benchmarks) {
    const result = results[benchmark.name];
    if (!result) continue;
    if ('error' in result) {
      rows.push(note(benchmark.name, `FAILED: ${result.error}`));
      continue;
    }
    if ('skipped' in result) {
      rows.push(note(benchmark.name, `skipped: ${result.skipped}`));
      continue;
    }
    rows.push([benchmark.name, 'ours', ...cells(result.ours), '', '', '']);
    rows.push(...partRows(result.ours));
    rows.push(['', 'baseline', ...cells(result.baseline), ...ratioCells(result)]);
    rows.push(...partRows(result.baseline));
    for (const [name, further] of Object.entries(result.further ?? {})) {
      rows.push(['', name, ...cells(further.side), ...ratioCells(further)]);
      rows.push(...partRows(further.side));
    }
    if (result.busyRounds.length > 0)
      rows.push(
        note('', `  (busy machine in round ${result.busyRounds.join(', ')}: load ${result.loadAverages.join(', ')})`),
      );
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const numeric = new Set([3, 4, 5, 6, 7, 8, 9]);
  return rows
    .map((row) =>
      row
        .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Ours against the baseline on this row: the ratio, the CPU ratio, and the target when one is set. */
function ratioCells(comparison: Comparison): string[] {
  return [
    `${comparison.ratio.toFixed(2)}×`,
    comparison.cpuRatio === undefined
      ? '–'
      : `${comparison.cpuRatio.toFixed(2)}× (${signed(comparison.cpuOverheadUsPerOp!)} µs${
          comparison.cpuOverheadRangeUs ? `; ${comparison.cpuOverheadRangeUs.map(signed).join('..')} by round` : ''
        })`,
    comparison.target === undefined
      ? ''
      : `≥ ${Number(comparison.target.toFixed(2))}×${
          comparison.cpuRatioTarget === undefined ? '' : `, CPU ≥ ${comparison.cpuRatioTarget}×`
        }${comparison.cpuOverheadTargetUs === undefined ? '' : `, ≤ +${comparison.cpuOverheadTargetUs} µs`} ${
          comparison.met ? 'met' : 'MISSED'
        }`,
  ];
}

function signed(value: number): string {
  return value >= 0 ? `+${value}` : `−${-value}`;
}

function cells(side: SideResult): string[] {
  return [
    side.label,
    side.rps === undefined ? '–' : side.rps.toLocaleString('en-US'),
    side.p50Ms.toFixed(2),
    side.p99Ms.toFixed(2),
    side.cpuUsPerOp === undefined ? '–' : `${side.cpuUsPerOp} (${side.mainThreadCpuUsPerOp ?? '–'})`,
    [
      side.memoryBytesPerOp === undefined ? '' : (side.memoryBytesPerOp / 1024).toFixed(1),
      side.idleMemoryBytes === undefined ? '' : `(${mebibytes(side.idleMemoryBytes)})`,
    ]
      .filter(Boolean)
      .join(' '),
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
    '',
    '',
  ]);
}

export function describeRatios(benchmarks: readonly Benchmark[]): string {
  const kinds = new Set(benchmarks.map((b) => b.kind));
  const parts = [];
  if (kinds.has('throughput')) parts.push('throughput: ours req/s ÷ baseline req/s');
  if (kinds.has('latency')) parts.push('latency: baseline p99 ÷ ours p99');
  if (kinds.has('memory')) parts.push('memory: baseline KiB/op ÷ ours KiB/op');
  return `ratio (higher is better) = ${parts.join('; ')}, on the row of the baseline it compares with; CPU ratio = that baseline's server CPU µs/op ÷ ours (in parentheses: what ours spends on top per operation, and the least and most it spent on top in one round, both sides measured back to back)`;
}

/** Bytes as mebibytes with one decimal, e.g. 92274688 → "88.0". */
export function mebibytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
