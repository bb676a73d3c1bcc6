import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../principal.js';
import type { UsageReporter } from './usage-reporter.js';

/**
 * Counts every response to a request whose credential the guard accepted (PATs and API keys: their
 * usage and "last used"), with the status it was answered with. Requests the guard refused are
 * counted by its `onDenied` (`UsageReporter.recordDenial`).
 */
export function countResponses(fastify: FastifyInstance, usage: UsageReporter): void {
  fastify.addHook('onResponse', (request: FastifyRequest & { user?: Principal }, reply, done) => {
    if (request.user) usage.recordResponse(request.user, reply.statusCode, request.ip);
    done();
  });
}
