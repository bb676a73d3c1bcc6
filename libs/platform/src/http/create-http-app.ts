import {
  BadRequestException,
  type DynamicModule,
  type INestApplication,
  type Type,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { type ErrorRenderingOptions, ProblemDetailsFilter } from './errors/problem-details.filter.js';
import type { ShutdownStep } from '../lifecycle/shutdown.js';
import { PinoLoggerService } from '../logging/logger.js';
import { requestLogger } from '../logging/request-logger.js';
import { instrumentHttp } from '../metrics/http-metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import { clientErrorHandler, routerErrorHandler } from './transport-errors.js';
import { strictJsonBodyParser } from './json-body.parser.js';

export interface HttpAppOptions extends ErrorRenderingOptions {
  logger: Logger;
  /** Trust X-Forwarded-* from any proxy (`true`) or from these addresses/CIDRs (Fastify `trustProxy`); off by default. */
  trustProxy?: boolean | string;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Where request rate, errors and latency per route are counted. */
  metrics?: Metrics;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_PARAM_LENGTH = 200;
const DEFAULT_BODY_LIMIT = 100 * 1024;

// A UTF-16 surrogate without its other half: JSON allows "\ud800", but it is not Unicode text.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What a parsed query or body holds that no Tollgate input may (keys included), if anything. */
function forbiddenCharacter(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'a NUL character';
    return LONE_SURROGATE.test(value) ? 'a lone UTF-16 surrogate (text must be well-formed Unicode)' : undefined;
  }
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = forbiddenCharacter(key) ?? forbiddenCharacter(item, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A Nest application on Fastify with the conventions every Tollgate app shares: pino logging with
 * redaction, one request line per response, a global validation pipe and problem-details errors
 * (also for failures Fastify raises before Nest sees the request). Its main.ts stops it on SIGTERM
 * with `httpAppShutdownSteps`.
 */
export async function createHttpApp(
  module: Type | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Refusals from the router and the HTTP parser are problem details too.
    frameworkErrors: routerErrorHandler({ ...options, maxParamLength: MAX_PARAM_LENGTH }),
    clientErrorHandler: clientErrorHandler(options),
    // The request's logger (its id on every line), built only when the request writes a line.
    childLoggerFactory: (logger: FastifyBaseLogger, bindings: Bindings, childOptions: ChildLoggerOptions) =>
      requestLogger(logger as Logger, bindings, childOptions),
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoLoggerService(options.logger),
    bufferLogs: false,
  });

  // Errors Fastify raises before a handler (bad JSON, unsupported media type, body too large) reach
  // the global filter too: Nest installs Fastify's error handler at init and routes it through filters.
  const fastify = app.getHttpAdapter().getInstance();
  // JSON bodies: UTF-8 only and bounded nesting (json-body.parser.ts), then Fastify's parser.
  app.useBodyParser(
    'application/json',
    { bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT },
    strictJsonBodyParser(fastify.getDefaultJsonParser('error', 'error')),
  );
  // PostgreSQL text cannot hold NUL, and no Tollgate input needs it: refuse it as bad input (400)
  // instead of letting it fail a query (500). A lone surrogate would be stored and then break every
  // strict UTF-8 reader of the data (jq on an exported audit log): refused the same way.
  fastify.addHook('preHandler', async (request) => {
    const found = forbiddenCharacter(request.query) ?? forbiddenCharacter(request.body);
    if (found) throw new BadRequestException(`The request contains ${found}`);
  });
  if (options.metrics) instrumentHttp(fastify, options.metrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    request.log.info({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ProblemDetailsFilter(options));
  return app;
}

/** How long in-flight requests have to be answered after SIGTERM; connections still busy then are closed. */
export const REQUEST_DRAIN_MS = 5_000;

/**
 * How an HTTP app stops: first its HTTP server (no new connections, long-lived streams ended by
 * Fastify's preClose hooks, in-flight requests answered), then Nest's shutdown hooks, which flush
 * buffered writes and close Redis and the database. Nest's own order (`enableShutdownHooks`) runs
 * onModuleDestroy while requests are still being served, and re-raises the signal instead of exiting 0.
 */
export function httpAppShutdownSteps(app: NestFastifyApplication, drainMs = REQUEST_DRAIN_MS): ShutdownStep[] {
  return [
    { name: 'in-flight HTTP requests', run: () => closeHttpServer(app.getHttpAdapter().getInstance(), drainMs) },
    { name: 'shutdown hooks (buffered writes, Redis and database connections)', run: () => app.close() },
  ];
}

async function closeHttpServer(fastify: FastifyInstance, drainMs: number): Promise<void> {
  let cut = 0;
  const timer = setTimeout(() => {
    fastify.server.getConnections((_error, count) => {
      cut = count;
      fastify.server.closeAllConnections();
    });
  }, drainMs);
  try {
    await fastify.close();
  } finally {
    clearTimeout(timer);
  }
  if (cut > 0) throw new Error(`${cut} connection(s) still busy after ${drainMs / 1000} s were closed`);
}

export interface ListenOptions {
  port: number;
  host: string;
  /** The configuration variable that sets the port, named in the error when it is taken. */
  portVariable: string;
}

/** Listens, turning "address in use" into a message that names the variable to change. */
export async function listenOrExplain(
  app: INestApplication,
  { port, host, portVariable }: ListenOptions,
): Promise<string> {
  try {
    await app.listen(port, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} on ${host} is already in use. Set ${portVariable} to a free port.`, {
        cause: error,
      });
    }
    throw error;
  }
  return app.getUrl();
}
