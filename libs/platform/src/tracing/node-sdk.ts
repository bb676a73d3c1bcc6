import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { register } from 'node:module';
import { isProbe, redactedQuery, redactPathQuery } from './span-redaction.js';

/**
 * The OpenTelemetry Node SDK, traces only (metrics are Prometheus' on METRICS_PORT, logs pino's on
 * stdout), with the exporter, sampler and propagators the standard `OTEL_*` variables choose.
 * Loaded by `startTracing` only when tracing is on.
 */
export function startNodeSdk(serviceName: string): NodeSDK {
  // Our ESM `import { Redis } from 'ioredis'` loads CommonJS without `require`, which the
  // instrumentations hook: import-in-the-middle lets them patch these few ESM imports too.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['ioredis', 'pg', 'http', 'https'] },
  });
  const sdk = new NodeSDK({
    serviceName: namesService(process.env) ? undefined : serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isProbe(request.url),
        startIncomingSpanHook: redactedQuery,
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: ({ url }) => isProbe(url),
        // A span per request and per handler; one per lifecycle hook would bury them.
        instrumentHooks: false,
        requestHook: (span, request) => redactPathQuery(span, request.url),
      }),
      // Global fetch: the token requests, calls to service-b, introspection, JWKS and metadata.
      new UndiciInstrumentation(),
      // Queries and commands inside a traced request; the housekeeping ticks would each be a trace of their own.
      // Statements are recorded with their placeholders, never their values (no enhanced reporting).
      new PgInstrumentation({ requireParentSpan: true }),
      // The command alone: keys hold client ids and credential hashes.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
  sdk.start();
  return sdk;
}

/** True when the environment names the service itself, which then wins over the app's name. */
function namesService(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
}
