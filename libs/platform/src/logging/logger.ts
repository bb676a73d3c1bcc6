import type { LoggerService } from '@nestjs/common';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { type DestinationStream, pino, type Logger } from 'pino';
import { redactSecrets } from './redact-secrets.js';

export type { Logger } from 'pino';

// Anything that can carry a secret is removed before a line is written (STYLE §7): these fields
// whole, whatever they hold, and then any credential-shaped value anywhere in the line (redactSecrets).
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.clientSecret',
  '*.token',
  '*.access_token',
  '*.accessToken',
  '*.apiKey',
  '*.privateKey',
  '*.client_assertion',
  '*.recoveryCode',
  '*.recoveryCodes',
];

// user_code: the device grant's link (verification_uri_complete, RFC 8628 §3.3.1) carries it to the console.
const SECRET_QUERY_PARAMETERS =
  /([?&](?:access_token|token|api_key|apikey|key|client_secret|password|client_assertion|user_code|device_code)=)[^&]*/gi;

/** A URL with the values of secret-looking query parameters replaced (the names stay, for debugging). */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMETERS, '$1[REDACTED]');
}

/**
 * The trace and span a line is written in, under OpenTelemetry's log-correlation names (as its
 * pino instrumentation writes them), so a log search leads to the trace and back. Nothing when
 * tracing is off: no span is ever active then.
 */
function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return {
    trace_id: traceId,
    span_id: spanId,
    trace_flags: traceFlags & TraceFlags.SAMPLED ? '01' : '00',
  };
}

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; standard output by default (tests capture them). */
  destination?: DestinationStream;
}

export function createLogger({ name, level = 'info', destination }: LoggerOptions): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
      err: pino.stdSerializers.err,
    },
    mixin: traceFields,
    // The finished line, whatever field, message or error stack carries the value.
    hooks: { streamWrite: redactSecrets },
  };
  return pino(options, destination ?? standardOutput());
}

/**
 * Standard output, written synchronously. pino's default stream writes asynchronously and flushes
 * what is in flight synchronously on exit, and that flush (sonic-boom 4) retries a failed write for
 * ever when standard output's reader has gone (EPIPE: a log shipper that died, `| head`), so the
 * process never exits, whatever called `process.exit` (our shutdown, Nest's boot failure). Written
 * synchronously there is nothing to flush on exit, a line is out before a crash, and after EPIPE
 * pino drops further lines. A line costs one write(2) on the event loop; the apps log no line per
 * request.
 */
function standardOutput(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

/** Nest's logger interface on top of pino, so framework and application lines share one format. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
