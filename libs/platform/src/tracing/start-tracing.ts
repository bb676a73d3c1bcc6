/**
 * True when the standard `OTEL_*` variables ask for traces: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an exporter other than
 * `none` (`OTEL_TRACES_EXPORTER`, e.g. `console`), and the SDK not disabled (`OTEL_SDK_DISABLED=true`).
 * `OTEL_TRACES_EXPORTER=none` wins over an endpoint. With none of them set, tracing stays off.
 */
export function tracesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.length > 0) return exporters[0] !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** What `startTracing` started, to be flushed and stopped at shutdown. */
interface Started {
  shutdown(): Promise<void>;
}

let started: Started | undefined;

/** True once `startTracing` has started the SDK in this process (for code that builds spans by hand). */
export function tracingStarted(): boolean {
  return started !== undefined;
}

/**
 * Starts OpenTelemetry tracing when the `OTEL_*` variables ask for it (`tracesWanted`), with
 * `serviceName` as `service.name` unless `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) names
 * one. Await it before importing the app: the instrumentations patch pg, ioredis and node:http as
 * they are first loaded. When tracing is off, no SDK code is loaded at all.
 */
export async function startTracing(serviceName: string): Promise<void> {
  if (started || !tracesWanted(process.env)) return;
  const { startNodeSdk } = await import('./node-sdk.js');
  started = startNodeSdk(serviceName);
}

/** Exports the spans still buffered and stops the SDK; gives up after `timeoutMs` (a collector that does not answer). */
export async function stopTracing(timeoutMs = 2_000): Promise<void> {
  const sdk = started;
  if (!sdk) return;
  started = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    sdk.shutdown().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
