import type { Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';

/** Liveness and metrics probes: answered many times a minute and never worth a trace. */
export function isProbe(url: string | undefined): boolean {
  const path = pathOf(url);
  return path === '/health' || path === '/metrics';
}

/** The path of a request target, without its query. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query) || '/';
}

/**
 * A query string may carry a credential (a client sending `?access_token=…`, an attacker probing
 * with a stolen key): a server span keeps that there was one, never what it said (`REDACTED`, as
 * the semantic conventions redact). Attributes for the HTTP instrumentation's `startIncomingSpanHook`.
 */
export function redactedQuery(request: IncomingMessage): Record<string, string> {
  return request.url?.includes('?') ? { 'url.query': 'REDACTED' } : {};
}

/** The same for a span whose `url.path` was set from the whole request target (Fastify's `request.url`). */
export function redactPathQuery(span: Span, url: string | undefined): void {
  if (url?.includes('?')) span.setAttribute('url.path', pathOf(url));
}
