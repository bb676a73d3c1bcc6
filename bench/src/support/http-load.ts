import autocannon from 'autocannon';
import type { Contender, Measurement } from '../benchmark.js';
import { percentile } from './statistics.js';

export interface HttpRequestSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** A contender measured by closed-loop HTTP load: `connections` keep-alive connections, one request in flight each. */
export function httpContender(label: string, request: HttpRequestSpec, connections: number): Contender {
  return { label, run: (seconds) => httpLoad(label, request, { connections, seconds }) };
}

/**
 * Runs autocannon in this process and measures every response itself: autocannon's histogram
 * keeps whole milliseconds, too coarse for sub-millisecond routes. Any error or non-2xx answer
 * fails the run, since the throughput of failures means nothing.
 */
export async function httpLoad(label: string, request: HttpRequestSpec, options: { connections: number; seconds: number }): Promise<Measurement> {
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
  return { rps: latencies.length / result.duration, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}
