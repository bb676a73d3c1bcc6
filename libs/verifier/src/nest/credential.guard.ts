import { type CanActivate, type ExecutionContext, Inject, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ProblemException } from '@tollgate/platform/http';
import type { Principal } from '../principal.js';
import { VerificationError } from '../verification-error.js';
import { CredentialVerifier } from '../credential.verifier.js';
import { CredentialRequired, refusalAnswer } from '../http/bearer-challenge.js';
import { presentation } from '../http/credential-location.js';
import type { SenderConstraint } from '../http/sender-constraint.js';
import type { ProtectedResource } from '../http/protected-resource-metadata.js';
import {
  assertScopes,
  type DeniedRequestListener,
  type HttpRequestLike,
  RequestAuthentication,
} from '../http/request-authentication.js';
import { IS_PUBLIC, REQUIRED_SCOPES } from './decorators.js';

export const VERIFIER_GUARD_OPTIONS = Symbol('VERIFIER_GUARD_OPTIONS');

/** Authenticates a request that carries no bearer credential (e.g. a console session cookie); null if it cannot. */
export type FallbackAuthenticator = (request: GuardedRequest) => Promise<Principal | null>;

export interface GuardedRequest extends HttpRequestLike {
  user?: Principal;
  /** As Fastify sees them (behind a trusted proxy, the forwarded ones): for the RFC 9728 metadata URL. */
  protocol?: string;
  host?: string;
}

export interface CredentialGuardOptions {
  /** The `realm` of WWW-Authenticate challenges. */
  realm: string;
  /** RFC 9728: named in every challenge (`resource_metadata`); `VerifierModule.forRoot({ protectedResource })` also serves it. */
  protectedResource?: ProtectedResource;
  /** Tried when the request has neither an Authorization header nor an X-API-Key header. */
  fallback?: FallbackAuthenticator;
  /** Called for every refused request that presented a credential (for audit and usage reports). */
  onDenied?: DeniedRequestListener;
  /** DPoP proofs seen (RFC 9449); `ResourceServerVerification.senderConstraint` shares them through Redis. */
  senderConstraint?: SenderConstraint;
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
    private readonly authentication: RequestAuthentication;

    constructor(
      @Inject(Reflector) reflector: Reflector,
      @Inject(VERIFIER_GUARD_OPTIONS) private readonly options: CredentialGuardOptions,
      @Inject(CredentialVerifier) private readonly verifier: CredentialVerifier,
    ) {
      super();
      this.routes = new RouteRules(reflector);
      this.authentication = new RequestAuthentication(verifier, options.onDenied, options.senderConstraint);
    }

    override async canActivate(context: ExecutionContext): Promise<boolean> {
      const route = this.routes.of(context);
      if (route.isPublic) return true;
      const http = context.switchToHttp();
      const request = http.getRequest<GuardedRequest>();
      try {
        const presented = presentation(request);
        const remembered = presented === undefined ? undefined : this.verifier.cachedPrincipal(presented.credential);
        if (remembered || presented?.scheme === 'dpop') {
          // Verified before and still remembered: passport's per-request machinery would only repeat
          // the lookup. The deny list and the credential's policy still run, as they do in the strategies.
          // passport-http-bearer reads the Bearer scheme only: a DPoP-scheme token is verified here too.
          const { principal, headers } = remembered
            ? await this.verifier.authorize(remembered, { address: request.ip })
            : await this.verifier.verifyRequest(presented!.credential, { address: request.ip });
          setHeaders(http.getResponse(), headers);
          request.user = principal;
        } else if (this.options.fallback && !request.headers.authorization && !request.headers['x-api-key']) {
          const fallback = await this.options.fallback(request);
          if (fallback) request.user = fallback;
          else await super.canActivate(context);
        } else await super.canActivate(context);
        if (presented) await this.authentication.confirmSender(request, presented, request.user!);
        assertScopes(route.requiredScopes, request.user!);
        return true;
      } catch (error) {
        if (error instanceof CredentialRequired) throw this.refusal(request, error);
        if (!(error instanceof VerificationError)) throw error;
        this.authentication.denied(request, error, request.user ?? error.principal);
        throw this.refusal(request, error);
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
      // The strategies fail only when the request carried no credential they read.
      if (!user) throw new CredentialRequired();
      return user;
    }

    private refusal(request: GuardedRequest, refusal: CredentialRequired | VerificationError): ProblemException {
      const resource = this.options.protectedResource;
      const { status, detail, ...options } = refusalAnswer(refusal, {
        realm: this.options.realm,
        resourceMetadata: resource?.metadataUrl(request.protocol ?? 'http', request.host),
      });
      return new ProblemException(status, detail, options);
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
