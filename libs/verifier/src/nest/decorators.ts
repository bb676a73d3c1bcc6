import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../principal.js';

export const IS_PUBLIC = 'tollgate:public';

/** Marks a route (or controller) as open: no credential is required. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Scopes the caller's credential must hold, all of them (RFC 6750 `insufficient_scope` otherwise). */
export const RequireScopes = Reflector.createDecorator<string[]>({ transform: (scopes) => scopes });

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});
