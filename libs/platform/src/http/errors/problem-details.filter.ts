import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactSecrets } from '../../logging/redact-secrets.js';
import { OAuthError, oauthCodeForStatus } from './oauth.error.js';
import { problemBody } from '../../errors/problem-body.js';
import { ProblemException } from './problem.exception.js';

export interface RenderedError {
  status: number;
  contentType: string;
  body: object;
  headers: Record<string, string>;
}

export interface ErrorRenderingOptions {
  /** Requests under this path prefix get RFC 6749 error bodies whatever failed (e.g. `/oauth/`). */
  oauthPathPrefix?: string;
  /**
   * Recognises errors that mean the app's database is unreachable (`isDatabaseUnavailable` from
   * @tollgate/persistence): they are answered 503 with Retry-After and logged once per outage.
   */
  isDatabaseUnavailable?: (error: unknown) => boolean;
}

/** What a client is told to wait before retrying while the database is unreachable. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;
/** An outage is over once no request has failed on it for this long (the next failure is logged again). */
const OUTAGE_QUIET_MS = 30_000;

/**
 * The words of an error raised outside Tollgate's own problems (validation, the framework). They
 * can quote the request, e.g. "property <name> should not exist": secrets in it are redacted.
 */
function messageOf(response: string | object): { detail?: string; errors?: string[] } {
  if (typeof response === 'string') return { detail: redactSecrets(response) };
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message))
    return { detail: 'The request is not valid', errors: message.map((item) => redactSecrets(String(item))) };
  if (typeof message === 'string') return { detail: redactSecrets(message) };
  return {};
}

/** Turns anything thrown into the body, status and headers sent to the client. Unknown errors become a bare 500. */
export function renderError(exception: unknown, url: string, options: ErrorRenderingOptions): RenderedError {
  const oauthRoute = options.oauthPathPrefix !== undefined && url.startsWith(options.oauthPathPrefix);
  if (options.isDatabaseUnavailable?.(exception)) return outage(oauthRoute);
  const headers = exception instanceof ProblemException || exception instanceof OAuthError ? exception.headers : {};
  const status = exception instanceof HttpException ? exception.getStatus() : statusOfFrameworkError(exception);

  if (exception instanceof OAuthError) {
    return { status, headers, contentType: 'application/json', body: exception.getResponse() as object };
  }
  if (oauthRoute) {
    const { detail } =
      exception instanceof HttpException ? messageOf(exception.getResponse()) : messageOf(exception as object);
    const description =
      status >= 500 ? 'The server could not complete the request' : (detail ?? 'The request is not valid');
    return {
      status,
      headers,
      contentType: 'application/json',
      body: { error: oauthCodeForStatus(status), error_description: description },
    };
  }
  if (exception instanceof ProblemException) {
    return { status, headers, contentType: 'application/problem+json', body: exception.getResponse() as object };
  }
  if (exception instanceof HttpException) {
    const { detail, errors } = messageOf(exception.getResponse());
    return {
      status,
      headers,
      contentType: 'application/problem+json',
      body: problemBody(status, detail, undefined, errors ? { errors } : {}),
    };
  }
  if (status < 500) {
    // Errors Fastify raises before a handler runs (unparseable body, unsupported media type, body too large).
    const { detail } = messageOf(exception as object);
    return { status, headers, contentType: 'application/problem+json', body: problemBody(status, detail) };
  }
  return {
    status: 500,
    headers: {},
    contentType: 'application/problem+json',
    body: problemBody(500, 'The server could not complete the request'),
  };
}

/** 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3); on OAuth routes as `temporarily_unavailable` (RFC 6749 §4.1.2.1). */
function outage(oauthRoute: boolean): RenderedError {
  const headers = { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) };
  const detail = 'The service cannot reach its database; retry in a few seconds';
  if (oauthRoute)
    return {
      status: 503,
      headers,
      contentType: 'application/json',
      body: { error: 'temporarily_unavailable', error_description: detail },
    };
  return {
    status: 503,
    headers,
    contentType: 'application/problem+json',
    body: problemBody(503, detail, 'database_unavailable'),
  };
}

function statusOfFrameworkError(exception: unknown): number {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

export function sendError(reply: FastifyReply, rendered: RenderedError): void {
  void reply.status(rendered.status).headers(rendered.headers).type(rendered.contentType).send(rendered.body);
}

/** One filter for every error an HTTP app raises (STYLE §5). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  /** When the last request failed on an unreachable database (0: none in the current outage). */
  private lastOutageFailure = 0;

  constructor(private readonly options: ErrorRenderingOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const rendered = renderError(exception, request.url, this.options);
    if (rendered.status === 503 && this.options.isDatabaseUnavailable?.(exception)) this.noteOutage(exception);
    else if (rendered.status >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    sendError(http.getResponse<FastifyReply>(), rendered);
  }

  /** One warning per outage, without a stack: every request fails the same way until the database is back. */
  private noteOutage(exception: unknown): void {
    const now = Date.now();
    if (now - this.lastOutageFailure > OUTAGE_QUIET_MS) {
      this.logger.warn(
        `The database is unreachable (${exception instanceof Error ? exception.message : String(exception)}): answering 503 with Retry-After until it answers again`,
      );
    }
    this.lastOutageFailure = now;
  }
}
