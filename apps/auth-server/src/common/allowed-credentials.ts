import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import { ProblemException, type SecuritySchemeName } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import type { FastifyRequest } from 'fastify';
import { actorOf } from './actor.js';
import { AuditLog } from './audit-log.js';

/**
 * How a caller of the management API authenticated. Finer than `Principal.credentialType`: an
 * access token is either a client's own (client credentials) or one exchanged for a user's PAT
 * (RFC 8693, `pat_id`), which stands for that PAT.
 */
export type CallerCredential = 'session' | 'client_credentials' | 'exchanged_pat' | 'pat' | 'cli_sign_in' | 'api_key';

/** The OpenAPI security scheme each caller credential arrives through (the document lists a rule's schemes only). */
export const SCHEME_OF_CREDENTIAL: Readonly<Record<CallerCredential, SecuritySchemeName>> = {
  session: 'consoleSession',
  client_credentials: 'accessToken',
  exchanged_pat: 'accessToken',
  pat: 'personalAccessToken',
  cli_sign_in: 'personalAccessToken',
  api_key: 'apiKey',
};

export function callerCredentialOf(principal: Principal): CallerCredential {
  // A PAT from a CLI sign-in (RFC 8628) stands for the console session that approved it.
  if (principal.credentialType === 'pat' && principal.issuedVia === 'device_authorization') return 'cli_sign_in';
  if (principal.credentialType !== 'access_token') return principal.credentialType;
  return principal.patId ? 'exchanged_pat' : 'client_credentials';
}

interface AllowedCredentialsRule {
  allowed: CallerCredential[];
  /** The rule holds only for requests whose JSON body has one of these fields (e.g. a password in an update). */
  whenBodyHas?: string[];
  /** Problem `type` code and detail of the 403 answered to any other credential. */
  code: string;
  detail: string;
  /** Refusals are recorded in the audit log under this action. */
  auditAction?: string;
}

const ALLOWED_CREDENTIALS = 'tollgate:allowed-credentials';

/** The OpenAPI extension that names, per operation, the credentials that may call it (`whenBodyHas` when it depends on the body). */
export const ALLOWED_CREDENTIALS_EXTENSION = 'x-allowed-credentials';

@Injectable()
export class AllowedCredentialsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<AllowedCredentialsRule | undefined>(ALLOWED_CREDENTIALS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    if (!rule || !appliesTo(rule, request.body)) return true;
    const principal = request.user;
    const credential = principal && callerCredentialOf(principal);
    if (credential && rule.allowed.includes(credential)) return true;
    if (principal && rule.auditAction) {
      this.audit.recordInBackground({
        action: rule.auditAction,
        outcome: 'denied',
        actor: actorOf(principal),
        credential: { type: principal.credentialType, id: principal.credentialId },
        address: request.ip,
        reason: `${credential} not allowed`,
        details: { route: `${request.method} ${request.routeOptions.url}` },
      });
    }
    throw new ProblemException(403, rule.detail, {
      code: rule.code,
      extensions: { credential, allowed_credentials: rule.allowed },
    });
  }
}

/** Guards run before validation: the raw JSON body decides whether a conditional rule holds. */
function appliesTo(rule: AllowedCredentialsRule, body: unknown): boolean {
  if (!rule.whenBodyHas) return true;
  return typeof body === 'object' && body !== null && rule.whenBodyHas.some((field) => Object.hasOwn(body, field));
}

/** Only these kinds of credential may call the route (or the controller's routes); others get 403 with the rule's problem. */
export const AllowCredentials = (rule: AllowedCredentialsRule) =>
  applyDecorators(
    SetMetadata(ALLOWED_CREDENTIALS, rule),
    UseGuards(AllowedCredentialsGuard),
    ApiExtension(ALLOWED_CREDENTIALS_EXTENSION, {
      credentials: rule.allowed,
      ...(rule.whenBodyHas && { whenBodyHas: rule.whenBodyHas }),
    }),
  );

/**
 * Routes a person uses from the console only (account settings). A PAT or an access token is
 * refused, so a leaked token can neither mint new tokens nor outlive its own revocation.
 */
export const SessionOnly = () =>
  AllowCredentials({
    allowed: ['session'],
    code: 'session_required',
    detail:
      'This route needs a signed-in console session (POST /api/session); personal access tokens, access tokens and API keys cannot use it',
  });

/**
 * A person's own tokens (account settings): from the console, or from the CLI a person signed in
 * with the console's approval (`tollgate pat …`). Other PATs and access tokens are refused, so a
 * leaked script token can neither mint new tokens nor outlive its own revocation.
 */
export const AccountSettings = () =>
  AllowCredentials({
    allowed: ['session', 'cli_sign_in'],
    code: 'session_required',
    detail:
      'Your tokens are managed from a signed-in console session (POST /api/session) or the Tollgate CLI (tollgate login); other personal access tokens, access tokens and API keys cannot manage them',
  });

const MINTING_CREDENTIALS: CallerCredential[] = ['session', 'client_credentials', 'cli_sign_in'];

/**
 * Routes that hand out a new secret: a PAT, an API key, a client or its secret, a client's public
 * keys (private_key_jwt), a password. A PAT, an API key, or a JWT exchanged for a PAT, even with
 * scope `admin`, cannot call them: only a console session (CSRF-checked) or an M2M client's own
 * access token. Whatever such a credential can do ends when it is revoked or its owner loses the
 * role; a credential it minted would not. `whenBodyHas`: only requests that set one of these fields
 * mint (a password in a user update); the route's other requests (disabling) stay open to it.
 */
export const MintsCredentials = (options: { whenBodyHas?: string[] } = {}) =>
  applyDecorators(
    AllowCredentials({
      allowed: MINTING_CREDENTIALS,
      whenBodyHas: options.whenBodyHas,
      code: 'credential_not_allowed',
      detail:
        'This request hands out a new credential (a token, key, secret or password): only a console session, a CLI sign-in a person approved there, or an M2M client’s access token (client credentials) may make it. ' +
        'Other personal access tokens, API keys and tokens exchanged for a PAT cannot mint credentials, so that none outlives the authority of its maker.',
      auditAction: 'credential.mint.denied',
    }),
    ApiForbiddenResponse({
      description: `Scope admin missing (insufficient_scope), or a credential other than ${MINTING_CREDENTIALS.join(' or ')}${options.whenBodyHas ? ` when the body sets ${options.whenBodyHas.join(' or ')}` : ''} (credential_not_allowed)`,
    }),
  );
