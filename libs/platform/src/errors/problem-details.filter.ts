import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactSecrets } from '../logging/redact-secrets.js';
import { OAuthError, oauthCodeForStatus } from './oauth.error.js';
import { problemBody, ProblemException } from './problem.exception.js';

export interface RenderedError {
  status: number;
  contentType: string;
  body: object;
  headers: Record<string, string>;
}

export interface ErrorRenderingOptions {
  /** Requests under this path prefix get RFC 6749 error bodies whatever failed (e.g. `/oauth/`). */
  oauthPathPrefix?: string;
}

/**
 * The words of an error raised outside Tollgate's own problems (validation, the framework). They
 * can quote the request, e.g. "property <name> should not exist": secrets in it are redacted.
 */
function messageOf(response: string | object): { detail?: string; errors?: string[] } {
  if (typeof response === 'string') return { detail: redactSecrets(response) };
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return { detail: 'The request is not valid', errors: message.map((item) => redactSecrets(String(item))) };
  if (typeof message === 'string') return { detail: redactSecrets(message) };
  return {};
}

/** Turns anything thrown into the body, status and headers sent to the client. Unknown errors become a bare 500. */
export function renderError(exception: unknown, url: string, options: ErrorRenderingOptions): RenderedError {
  const oauthRoute = options.oauthPathPrefix !== undefined && url.startsWith(options.oauthPathPrefix);
  const headers = exception instanceof ProblemException || exception instanceof OAuthError ? exception.headers : {};
  const status = exception instanceof HttpException ? exception.getStatus() : statusOfFrameworkError(exception);

  if (exception instanceof OAuthError) {
    return { status, headers, contentType: 'application/json', body: exception.getResponse() as object };
  }
  if (oauthRoute) {
    const { detail } = exception instanceof HttpException ? messageOf(exception.getResponse()) : messageOf(exception as object);
    const description = status >= 500 ? 'The server could not complete the request' : (detail ?? 'The request is not valid');
    return { status, headers, contentType: 'application/json', body: { error: oauthCodeForStatus(status), error_description: description } };
  }
  if (exception instanceof ProblemException) {
    return { status, headers, contentType: 'application/problem+json', body: exception.getResponse() as object };
  }
  if (exception instanceof HttpException) {
    const { detail, errors } = messageOf(exception.getResponse());
    return { status, headers, contentType: 'application/problem+json', body: problemBody(status, detail, undefined, errors ? { errors } : {}) };
  }
  if (status < 500) {
    // Errors Fastify raises before a handler runs (unparseable body, unsupported media type, body too large).
    const { detail } = messageOf(exception as object);
    return { status, headers, contentType: 'application/problem+json', body: problemBody(status, detail) };
  }
  return { status: 500, headers: {}, contentType: 'application/problem+json', body: problemBody(500, 'The server could not complete the request') };
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

  constructor(private readonly options: ErrorRenderingOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const rendered = renderError(exception, request.url, this.options);
    if (rendered.status >= 500) this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    sendError(http.getResponse<FastifyReply>(), rendered);
  }
}
