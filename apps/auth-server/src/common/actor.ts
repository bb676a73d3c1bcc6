import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@tollgate/verifier';
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from './audit-log.js';

export type { AuditActor };

/** The audit actor for a caller of the management API. */
export function actorOf(principal: Principal): AuditActor {
  if (principal.userId) return { type: 'user', id: principal.userId };
  if (principal.clientId) return { type: 'client', id: principal.clientId };
  return { type: 'client', id: principal.subject };
}

/**
 * The authenticated caller as the audit log records it: who (from the verified credential) and
 * from where (the client address, which honours TRUST_PROXY).
 */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): AuditActor => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
  return { ...actorOf(request.user), address: request.ip };
});
