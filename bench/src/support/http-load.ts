import autocannon, { type AutocannonRequest } from 'autocannon';
import type { Contender, Measurement } from '../benchmark.js';
import { withServerCpu } from './server-cpu.js';
import type { ServerProcess } from './server-process.js';
import { percentile } from './statistics.js';

export interface HttpRequestSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Under load: a new body for every request (e.g. a different credential each time) instead of `body`. */
  nextBody?: () => string;
  /** Under load: headers made for every request (e.g. a DPoP proof, valid once), added to `headers`. */
  nextHeaders?: () => Record<string, string>;
  /** Under load: checks every 2xx answer's body (e.g. that an introspected key is active); one false fails the run. */
  acceptBody?: (body: string) => boolean;
  /** Under load: called on every answer (e.g. to send other traffic at the same pace). */
  onAnswer?: () => void;
}

/**
 * A contender measured by closed-loop HTTP load: `connections` keep-alive connections, one request
 * in flight each, as fast as it answers or at `requestsPerSecond` over all of them. The CPU time of
 * `servers` (the processes doing the work) is measured too.
 */
export function httpContender(
  label: string,
  request: HttpRequestSpec,
  connections: number,
  servers: ServerProcess[],
  requestsPerSecond?: number,
): Contender {
  return {
    label,
    run: (seconds) =>
      withServerCpu(servers, () => httpLoad(label, request, { connections, seconds, requestsPerSecond })),
  };
}

/**
 * Runs autocannon in this process and measures every response itself: autocannon's histogram
 * keeps whole milliseconds, too coarse for sub-millisecond routes. Any error or non-2xx answer
 * fails the run, since the throughput of failures means nothing.
 */
export async function httpLoad(
  label: string,
  request: HttpRequestSpec,
  options: { connections: number; seconds: number; requestsPerSecond?: number },
): Promise<Measurement & { operations: number }> {
  const latencies: number[] = [];
  let rejectedBody: string | undefined;
  const { nextBody, nextHeaders, acceptBody } = request;
  const instance = autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    // Offered load: at most this many requests per second over all connections (still one in flight each).
    ...(options.requestsPerSecond && { overallRate: options.requestsPerSecond }),
    timeout: 10,
    ...(nextBody || nextHeaders || acceptBody
      ? {
          requests: [
            {
              ...((nextBody || nextHeaders) && {
                setupRequest: (raw: AutocannonRequest) => ({
                  ...raw,
                  ...(nextBody && { body: nextBody() }),
                  ...(nextHeaders && { headers: { ...raw.headers, ...nextHeaders() } }),
                }),
              }),
              ...(acceptBody && {
                onResponse: (status: number, body: string) => {
                  if (status >= 200 && status < 300 && !acceptBody(body)) rejectedBody ??= body;
                },
              }),
            },
          ],
        }
      : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    request.onAnswer?.();
  });
  const result = await instance;
  if (rejectedBody !== undefined)
    throw new Error(`${label}: an answer's body was not the expected one: ${rejectedBody.slice(0, 300)}`);
  if (result.errors > 0 || result.non2xx > 0 || latencies.length === 0) {
    const statuses = Object.entries(result.statusCodeStats)
      .map(([status, { count }]) => `${status}×${count}`)
      .join(', ');
    throw new Error(
      `${label}: ${result.non2xx} non-2xx answers and ${result.errors} errors (${result.timeouts} timeouts); statuses: ${statuses || 'none'}`,
    );
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: latencies.length / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    operations: latencies.length,
  };
}
