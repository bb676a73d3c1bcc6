import { type CanActivate, type ExecutionContext, Inject, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ProblemException } from '@tollgate/platform';
import type { Principal } from '../principal.js';
import { VerificationError } from '../verification-error.js';
import { CredentialVerifier } from '../credential.verifier.js';
import { presentedCredential } from './credential-location.js';
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
    private readonly routes: RouteRules;

    constructor(
      @Inject(Reflector) reflector: Reflector,
      @Inject(VERIFIER_GUARD_OPTIONS) private readonly options: CredentialGuardOptions,
      @Inject(CredentialVerifier) private readonly verifier: CredentialVerifier,
    ) {
      super();
      this.routes = new RouteRules(reflector);
    }

    override async canActivate(context: ExecutionContext): Promise<boolean> {
      const route = this.routes.of(context);
      if (route.isPublic) return true;
      const http = context.switchToHttp();
      const request = http.getRequest<GuardedRequest>();
      try {
        const credential = presentedCredential(request);
        const remembered = credential === undefined ? undefined : this.verifier.cachedPrincipal(credential);
        if (remembered) {
          // Verified before and still remembered: passport's per-request machinery would only repeat
          // the lookup. The deny list and the credential's policy still run, as they do in the strategies.
          const { principal, headers } = await this.verifier.authorize(remembered, { address: request.ip });
          setHeaders(http.getResponse(), headers);
          request.user = principal;
        } else if (this.options.fallback && !request.headers.authorization && !request.headers['x-api-key']) {
          const fallback = await this.options.fallback(request);
          if (fallback) request.user = fallback;
          else await super.canActivate(context);
        } else await super.canActivate(context);
        assertScopes(route.requiredScopes, request.user!);
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
      if (user && info?.headers && context) setHeaders(context.switchToHttp().getResponse(), info.headers);
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

/** The credential's RateLimit fields, on whatever this request is answered (errors included). */
function setHeaders(
  reply: { headers(values: Record<string, string>): unknown },
  headers: Record<string, string>,
): void {
  for (const _ in headers) {
    reply.headers(headers);
    return;
  }
}

function assertScopes(required: readonly string[], principal: Principal): void {
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

interface RouteRule {
  isPublic: boolean;
  requiredScopes: readonly string[];
}

/**
 * What `@Public()` and `@RequireScopes()` say of a route (handler over controller), read once per
 * route: decorators are fixed when the app starts, so a request need not walk the metadata again.
 */
class RouteRules {
  private readonly byController = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    const controller = context.getClass();
    let rules = this.byController.get(controller);
    if (!rules) this.byController.set(controller, (rules = new WeakMap()));
    let rule = rules.get(handler);
    if (!rule) {
      const targets = [handler, controller];
      rule = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        requiredScopes: this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [],
      };
      rules.set(handler, rule);
    }
    return rule;
  }
}
