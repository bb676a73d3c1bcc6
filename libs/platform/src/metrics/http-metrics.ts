import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

/** Latency buckets (seconds) from 1 ms to 10 s: a route answered from memory up to a slow query. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Request rate, errors and latency per route (RED): `http_server_request_duration_seconds` with the
 * route template (`/api/clients/:id`, never the URL itself), the method and the status code, as
 * OpenTelemetry's HTTP semantic conventions name them. A request no route matched counts under
 * `(unmatched)`, so probing random paths cannot create series.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: Metrics): void {
  const duration = metrics.histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests, by route template, method and status code',
    labelNames: ['http_route', 'http_request_method', 'http_response_status_code'],
    buckets: LATENCY_BUCKETS,
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        http_route: request.routeOptions.url ?? '(unmatched)',
        http_request_method: KNOWN_METHODS.has(request.method) ? request.method : '_OTHER',
        http_response_status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
