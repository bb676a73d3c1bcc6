import { type Benchmark, BenchmarkSkipped, type Contender, type Measurement } from '../benchmark.js';
import { insertAuditEvents } from '../support/audit-rows.js';
import { AuthServerProcess } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { percentile } from '../support/statistics.js';

const SMALL = 100_000;
const LARGE = 1_000_000;
/** How often the server's resident memory is read while an export streams. */
const SAMPLE_MS = 20;

/**
 * Does exporting the audit log hold it in memory? GET /api/audit/export (JSON Lines) of every
 * stored event, streamed by a client that reads and discards it, against an auth-server holding
 * 1,000,000 events (ours) and one holding 100,000 (baseline). Measured: the server's resident memory
 * above what it held before the export (the peak, sampled every 20 ms), events per second, and the
 * time one export takes. Ratio = baseline's memory ÷ ours: near 1 when memory stays flat (the export
 * reads 1,000 rows at a time; what remains is the garbage collector's heap growth), 0.1 if memory
 * grew with the events.
 */
export const auditExport: Benchmark = {
  name: 'auditExport',
  description: `audit export (GET /api/audit/export, JSON Lines): ${LARGE.toLocaleString('en-US')} events vs ${SMALL.toLocaleString('en-US')} (server memory above idle)`,
  kind: 'memory',
  target: 0.5,

  async setup({ tempDir, quick, log }) {
    if (quick)
      throw new BenchmarkSkipped(
        `--quick leaves out the ${LARGE.toLocaleString('en-US')}-event side (a 10–20 s insert)`,
      );
    const cleanup = new CleanupStack();
    try {
      const sides: { auth: AuthServerProcess; total: number }[] = [];
      for (const [name, total] of [
        ['auth-server-100k-events', SMALL],
        ['auth-server-1m-events', LARGE],
      ] as const) {
        log(`starting ${name}`);
        const auth = await AuthServerProcess.start(tempDir, { name });
        cleanup.add(() => auth.stop());
        // Its first admin call audits the token it got: the template of the inserted events.
        await auth.api('GET', '/api/audit?limit=1', undefined, 200);
        await auth.stop();
        const started = performance.now();
        insertAuditEvents(auth.sqliteFile!, total);
        log(
          `${name}: ${total.toLocaleString('en-US')} events stored in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        await auth.restart();
        const exported = await exportAll(auth);
        if (exported.events < total)
          throw new Error(`${name}: the export gave ${exported.events} events, ${total} are stored`);
        sides.push({ auth, total });
      }
      const [small, large] = sides;
      return {
        ours: exportContender(`auth-server, ${LARGE.toLocaleString('en-US')} audit events (SQLite)`, large.auth),
        baseline: exportContender(`auth-server, ${SMALL.toLocaleString('en-US')} audit events (SQLite)`, small.auth),
        conditions: { events: `${LARGE} vs ${SMALL}`, format: 'jsonl', memorySampledEveryMs: SAMPLE_MS },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

/** Exports everything, back to back, for the round's seconds (at least once). */
function exportContender(label: string, auth: AuthServerProcess): Contender {
  return {
    label,
    async run(seconds: number): Promise<Measurement> {
      const durations: number[] = [];
      let peakGrowth = 0;
      let events = 0;
      const started = performance.now();
      do {
        const run = await exportAll(auth);
        durations.push(run.ms);
        peakGrowth = Math.max(peakGrowth, run.peakGrowthBytes);
        events += run.events;
      } while (performance.now() - started < seconds * 1000);
      const elapsed = (performance.now() - started) / 1000;
      const sorted = durations.sort((a, b) => a - b);
      return {
        rps: events / elapsed,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        memoryBytesPerOp: Math.max(peakGrowth, 1),
      };
    },
  };
}

/** One whole export, read and discarded as it arrives, with the server's memory sampled meanwhile. */
async function exportAll(auth: AuthServerProcess): Promise<{ events: number; ms: number; peakGrowthBytes: number }> {
  const before = auth.server.residentBytes() ?? 0;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, auth.server.residentBytes() ?? 0);
  }, SAMPLE_MS);
  const started = performance.now();
  let events = 0;
  try {
    const response = await auth.fetchAsAdmin('/api/audit/export?format=jsonl');
    if (response.status !== 200 || !response.body) throw new Error(`the export answered ${response.status}`);
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      for (const byte of chunk) if (byte === 10) events += 1;
      peak = Math.max(peak, auth.server.residentBytes() ?? 0);
    }
  } finally {
    clearInterval(sampler);
  }
  return { events, ms: performance.now() - started, peakGrowthBytes: peak - before };
}
