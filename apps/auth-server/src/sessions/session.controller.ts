import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ProblemException, SESSION_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal, Public } from '@tollgate/verifier/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../common/actor.js';
import { SessionOnly } from '../common/allowed-credentials.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { LoginDto } from './dto/create-session.dto.js';
import { SecondFactorRequiredDto } from './dto/second-factor.dto.js';
import { SessionDto } from './dto/session.response.js';
import {
  pendingSignInCookieName,
  pendingSignInCookieOptions,
  readPendingSignInCookie,
  readSessionCookie,
  sessionCookieName,
  sessionCookieOptions,
} from './session-cookie.js';
import { type LoginContext, PENDING_SIGN_IN_TTL_MS, SessionsService, type StartedSession } from './sessions.service.js';

export const NO_STORE = { 'Cache-Control': 'no-store' };

/** A cross-site HTML form can post urlencoded or text/plain bodies, never JSON: no login CSRF. */
export function requireJsonBody(request: FastifyRequest): void {
  if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? ''))
    throw new ProblemException(415, 'Sign in with a JSON body (Content-Type: application/json)', {
      code: 'unsupported_media_type',
    });
}

/** Where a sign-in comes from, and the cookies it replaces. */
export function loginContextOf(request: FastifyRequest, config: AuthServerConfig): LoginContext {
  const userAgent = request.headers['user-agent'];
  const secure = config.sessions.secureCookie;
  return {
    address: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    previousSecret: readSessionCookie(request, secure),
    previousPendingSecret: readPendingSignInCookie(request, secure),
  };
}

/** Sign-in for the web console (account settings). There is no password grant at /oauth/token. */
@ApiTags('session')
@Controller('api/session')
export class SessionController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createSession',
    summary: 'Sign in with email and password (JSON); sets the session cookie and returns the CSRF token',
  })
  @ApiOkResponse({ type: SessionDto, description: 'Signed in: the session cookie is set' })
  @ApiAcceptedResponse({
    type: SecondFactorRequiredDto,
    description:
      'The password is right and a second factor is due: a pending sign-in cookie is set (it grants nothing); finish at POST /api/session/second-factor',
  })
  @ApiBadRequestResponse({ description: 'No email or password, or an unexpected field (problem+json)' })
  @ApiUnauthorizedResponse({ description: 'The email or password is incorrect (same answer for every failure)' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a JSON body (problem+json)' })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed sign-ins for this email or from this address, or too many in progress (Retry-After)',
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto | SecondFactorRequiredDto> {
    requireJsonBody(request);
    const result = await this.sessions.login(body.email, body.password, loginContextOf(request, this.config));
    if ('started' in result) {
      setSessionCookie(result.started, request, reply, this.config);
      return this.sessions.describe(result.started.secret, result.started.session.id, result.started.user.id);
    }
    const secure = this.config.sessions.secureCookie;
    void reply
      .status(202)
      .headers(NO_STORE)
      .setCookie(
        pendingSignInCookieName(secure),
        result.pending.secret,
        pendingSignInCookieOptions(PENDING_SIGN_IN_TTL_MS / 1000, secure),
      );
    return {
      secondFactorRequired: true,
      methods: result.pending.methods,
      expiresAt: result.pending.expiresAt.toISOString(),
    };
  }

  @Get()
  @SessionOnly()
  @ApiCookieAuth(SESSION_SCHEME)
  @ApiOperation({ operationId: 'getSession', summary: 'The signed-in user and the CSRF token (after a page reload)' })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ description: 'No valid session' })
  @ApiForbiddenResponse({ description: 'Called with a bearer credential instead of the session cookie' })
  async current(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    void reply.headers(NO_STORE);
    return this.sessions.describe(
      readSessionCookie(request, this.config.sessions.secureCookie)!,
      principal.credentialId,
      principal.userId!,
    );
  }

  @Delete()
  @HttpCode(204)
  @SessionOnly()
  @ApiCookieAuth(SESSION_SCHEME)
  @ApiOperation({
    operationId: 'deleteSession',
    summary: 'Sign out: ends the session (needs X-CSRF-Token) and clears the cookie',
  })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ description: 'No valid session' })
  @ApiForbiddenResponse({
    description: 'Called with a bearer credential instead of the session cookie, or without X-CSRF-Token',
  })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.logout(principal.credentialId, actorOf(principal), request.ip);
    const secure = this.config.sessions.secureCookie;
    void reply.headers(NO_STORE).clearCookie(sessionCookieName(secure), sessionCookieOptions(0, secure));
  }
}

/** Sets the session cookie of a new session (clearing the pending sign-in's, if the browser had one). */
export function setSessionCookie(
  started: StartedSession,
  request: FastifyRequest,
  reply: FastifyReply,
  config: AuthServerConfig,
): void {
  const secure = config.sessions.secureCookie;
  void reply
    .headers(NO_STORE)
    .setCookie(
      sessionCookieName(secure),
      started.secret,
      sessionCookieOptions(config.sessions.absoluteTtlSeconds, secure),
    );
  if (readPendingSignInCookie(request, secure))
    void reply.clearCookie(pendingSignInCookieName(secure), pendingSignInCookieOptions(0, secure));
}
