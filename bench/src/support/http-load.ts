import autocannon from 'autocannon';
import type { Contender, Measurement } from '../benchmark.js';
import type { CpuTime, ServerProcess } from './server-process.js';
import { percentile } from './statistics.js';

export interface HttpRequestSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A contender measured by closed-loop HTTP load: `connections` keep-alive connections, one request
 * in flight each. The CPU time of `servers` (the processes doing the work) is measured too.
 */
export function httpContender(label: string, request: HttpRequestSpec, connections: number, servers: ServerProcess[]): Contender {
  return {
    label,
    run: async (seconds) => {
      const cpuBefore = totalCpuTimeMs(servers);
      const { requests, ...measured } = await httpLoad(label, request, { connections, seconds });
      const cpuAfter = totalCpuTimeMs(servers);
      if (cpuBefore === undefined || cpuAfter === undefined) return measured;
      const perRequest = (ms: number) => (ms * 1000) / requests;
      return { ...measured, cpuUsPerOp: perRequest(cpuAfter.total - cpuBefore.total), mainThreadCpuUsPerOp: perRequest(cpuAfter.mainThread - cpuBefore.mainThread) };
    },
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

/**
 * Runs autocannon in this process and measures every response itself: autocannon's histogram
 * keeps whole milliseconds, too coarse for sub-millisecond routes. Any error or non-2xx answer
 * fails the run, since the throughput of failures means nothing.
 */
export async function httpLoad(label: string, request: HttpRequestSpec, options: { connections: number; seconds: number }): Promise<Measurement & { requests: number }> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
  });
  const result = await instance;
  if (result.errors > 0 || result.non2xx > 0 || latencies.length === 0) {
    const statuses = Object.entries(result.statusCodeStats).map(([status, { count }]) => `${status}×${count}`).join(', ');
    throw new Error(`${label}: ${result.non2xx} non-2xx answers and ${result.errors} errors (${result.timeouts} timeouts); statuses: ${statuses || 'none'}`);
  }
  const sorted = Float64Array.from(latencies).sort();
  return { rps: latencies.length / result.duration, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), requests: latencies.length };
}
