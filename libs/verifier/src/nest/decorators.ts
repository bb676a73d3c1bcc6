import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { REQUIRED_SCOPES_EXTENSION } from '@tollgate/platform/http';
import type { Principal } from '../principal.js';

export const IS_PUBLIC = 'tollgate:public';

/** Marks a route (or controller) as open: no credential is required. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const REQUIRED_SCOPES = 'tollgate:required-scopes';

/**
 * Scopes the caller's credential must hold, all of them (RFC 6750 `insufficient_scope` otherwise).
 * The OpenAPI document lists them in the route's security requirements.
 */
export const RequireScopes = (...scopes: string[]) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiExtension(REQUIRED_SCOPES_EXTENSION, scopes));

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});
