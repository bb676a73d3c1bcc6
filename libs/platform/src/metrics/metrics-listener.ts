import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface MetricsListenerSettings {
  port: number;
  /** Default 127.0.0.1: the metrics say how many clients there are and how often they are refused. */
  host: string;
}

export interface MetricsListener {
  /** Where Prometheus scrapes: `http://host:port/metrics`. */
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on its own port, apart from the app's API, as Keycloak's management port and
 * Hydra's admin port do: Prometheus scrapes it without a token, and it stays off the public port
 * (bound to localhost unless METRICS_HOST says otherwise; in a container, to the internal network).
 */
export async function startMetricsListener(
  metrics: Metrics,
  { port, host }: MetricsListenerSettings,
): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') return problem(response, 404, 'Not Found', 'Metrics are at /metrics');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return problem(response, 405, 'Method Not Allowed', 'Use GET on /metrics');
    }
    metrics.exposition().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => problem(response, 500, 'Internal Server Error', 'The metrics could not be collected'),
    );
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use. Set METRICS_PORT to a free port.`, { cause: error })
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const authority = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${authority}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function problem(response: ServerResponse, status: number, title: string, detail: string): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  response.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
