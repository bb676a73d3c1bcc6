import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../principal.js';
/** What hears of each response to an accepted credential: a `UsageReporter`, or a `ResourceServerVerification` (usage and metrics). */
export interface ResponseRecorder {
  recordResponse(principal: Principal, status: number, address: string): void;
}

/** The caller a request was authenticated as: `request.user` in Nest apps (passport's place). */
const nestCaller = (request: FastifyRequest): Principal | undefined => (request as { user?: Principal }).user;

/**
 * Counts every response to a request whose credential was accepted (PATs and API keys: their
 * usage and "last used"), with the status it was answered with. Refused requests are counted by
 * `onDenied` (`UsageReporter.recordDenial`).
 */
export function countResponses(
  fastify: FastifyInstance,
  usage: ResponseRecorder,
  callerOf: (request: FastifyRequest) => Principal | undefined = nestCaller,
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const caller = callerOf(request);
    if (caller) usage.recordResponse(caller, reply.statusCode, request.ip);
    done();
  });
}
