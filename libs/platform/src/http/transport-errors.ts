import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorRenderingOptions, renderError, sendError } from './errors/problem-details.filter.js';
import { ProblemException } from './errors/problem.exception.js';

/**
 * Fastify's router refuses a URL before any hook or filter runs: malformed percent-encoding (400),
 * a path parameter longer than `maxParamLength` (414). Answered like every other error, without
 * echoing the URL (it may hold a credential).
 */
export function routerErrorHandler(options: ErrorRenderingOptions & { maxParamLength: number }) {
  return (error: { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): void => {
    const status = error.statusCode ?? 400;
    const detail =
      status === 414
        ? `A segment of the URL path is longer than ${options.maxParamLength} characters`
        : 'The URL is not valid (check its percent-encoding)';
    sendError(reply, renderError(new ProblemException(status, detail), request.url, options));
  };
}

/**
 * Node's HTTP parser refuses a request before Fastify sees it: a request line and header fields
 * past `maxHeaderSize` (16 KiB) get 431 (RFC 6585 §5), a request not received in time 408,
 * anything else 400. Answered in the form of the path asked for (RFC 6749 JSON on the OAuth
 * endpoints, problem details elsewhere), written to the socket, which is then closed, as Node's
 * own handler does.
 */
export function clientErrorHandler(options: ErrorRenderingOptions) {
  return (error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request line and header fields are larger than this server accepts']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'The request was not received in time']
          : [400, 'The request is not valid HTTP'];
    const rendered = renderError(new ProblemException(status, detail), requestedPath(error.rawPacket), options);
    const body = JSON.stringify(rendered.body);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${rendered.contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}

/** The path of the request line Node received before it gave up ("" when there is none to read). */
function requestedPath(rawPacket: unknown): string {
  const line = Buffer.isBuffer(rawPacket) ? rawPacket.subarray(0, 2048).toString('latin1') : '';
  return /^[A-Z]+ (\/[^ ?\r\n]*)/.exec(line)?.[1] ?? '';
}
