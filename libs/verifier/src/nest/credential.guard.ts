import { type CanActivate, type ExecutionContext, Inject, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ProblemException } from '@tollgate/platform';
import type { Principal } from '../principal.js';
import { VerificationError } from '../verification-error.js';
import { assertCredentialLocation } from './credential-location.js';
import { IS_PUBLIC, REQUIRED_SCOPES } from './decorators.js';

export const VERIFIER_GUARD_OPTIONS = Symbol('VERIFIER_GUARD_OPTIONS');

export interface DeniedRequest {
  error: VerificationError;
  principal?: Principal;
  address: string;
  method: string;
  path: string;
}

/** Authenticates a request that carries no bearer credential (e.g. a console session cookie); null if it cannot. */
export type FallbackAuthenticator = (request: GuardedRequest) => Promise<Principal | null>;

export interface GuardedRequest {
  ip: string;
  method: string;
  url: string;
  user?: Principal;
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  body?: unknown;
}

export interface CredentialGuardOptions {
  /** The `realm` of WWW-Authenticate challenges. */
  realm: string;
  /** Tried when the request has neither an Authorization header nor an X-API-Key header. */
  fallback?: FallbackAuthenticator;
  /** Called for every refused request that presented a credential (for audit and usage reports). */
  onDenied?: (denied: DeniedRequest) => void;
}

/** A quoted-string for a challenge parameter: no quotes, backslashes or control characters can break out. */
function quoted(value: string): string {
  const safe = Array.from(value, (c) =>
    c === '"' || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c,
  ).join('');
  return `"${safe}"`;
}

/**
 * The global guard of a Tollgate resource server: protected by default (`@Public()` opts out),
 * credentials only where RFC 6750 allows them, verification through passport strategies, then the
 * scopes declared with `@RequireScopes`. Answers RFC 6750 challenges: 401 with no error when no
 * credential was sent, 400 `invalid_request`, 401 `invalid_token`, 403 `insufficient_scope`.
 */
export function createCredentialGuard(strategies: string[]): Type<CanActivate> {
  @Injectable()
  class CredentialGuard extends AuthGuard(strategies) {
    constructor(
      @Inject(Reflector) private readonly reflector: Reflector,
      @Inject(VERIFIER_GUARD_OPTIONS) private readonly options: CredentialGuardOptions,
    ) {
      super();
    }

    override async canActivate(context: ExecutionContext): Promise<boolean> {
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
      const request = context.switchToHttp().getRequest<GuardedRequest>();
      try {
        assertCredentialLocation(request);
        const fallback =
          this.options.fallback && !request.headers.authorization && !request.headers['x-api-key']
            ? await this.options.fallback(request)
            : null;
        if (fallback) request.user = fallback;
        else await super.canActivate(context);
        this.assertScopes(context, request.user!);
        return true;
      } catch (error) {
        if (!(error instanceof VerificationError)) throw error;
        this.options.onDenied?.({
          error,
          principal: request.user ?? error.principal,
          address: request.ip,
          method: request.method,
          path: request.url.split('?')[0],
        });
        throw this.challenge(error);
      }
    }

    override handleRequest<T = Principal>(
      error: unknown,
      user: T | false,
      info?: { headers?: Record<string, string> },
      context?: ExecutionContext,
    ): T {
      if (error) throw error;
      // The credential's RateLimit fields, on whatever this request is answered (errors included).
      if (user && info?.headers && context)
        context
          .switchToHttp()
          .getResponse<{ headers(values: Record<string, string>): unknown }>()
          .headers(info.headers);
      if (!user)
        throw new ProblemException(
          401,
          'A credential is required: send "Authorization: Bearer <token>" (or X-API-Key for API keys)',
          {
            code: 'unauthenticated',
            headers: { 'WWW-Authenticate': `Bearer realm=${quoted(this.options.realm)}` },
          },
        );
      return user;
    }

    private assertScopes(context: ExecutionContext, principal: Principal): void {
      const required =
        this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, [
          context.getHandler(),
          context.getClass(),
        ]) ?? [];
      const missing = required.filter((scope) => !principal.scopes.has(scope));
      if (missing.length > 0) {
        throw Object.assign(
          new VerificationError(
            'insufficient_scope',
            `This request needs the scope ${required.join(' ')}`,
            'insufficient_scope',
          ),
          { requiredScope: required.join(' ') },
        );
      }
    }

    private challenge(error: VerificationError & { requiredScope?: string }): ProblemException {
      const headers: Record<string, string> = { ...error.headers };
      if (error.code === 'temporarily_unavailable') headers['Retry-After'] ??= '5';
      else if (
        error.code === 'invalid_request' ||
        error.code === 'invalid_token' ||
        error.code === 'insufficient_scope'
      ) {
        const parameters = [
          `realm=${quoted(this.options.realm)}`,
          `error=${quoted(error.code)}`,
          `error_description=${quoted(error.description)}`,
        ];
        if (error.requiredScope) parameters.push(`scope=${quoted(error.requiredScope)}`);
        headers['WWW-Authenticate'] = `Bearer ${parameters.join(', ')}`;
      }
      return new ProblemException(error.status, error.description, {
        code: error.code,
        headers,
        extensions: {
          error: error.code,
          error_description: error.description,
          ...(error.requiredScope ? { scope: error.requiredScope } : {}),
        },
      });
    }
  }

  return CredentialGuard;
}
