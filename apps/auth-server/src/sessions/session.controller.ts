import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
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
import { ProblemException, SESSION_SCHEME } from '@tollgate/platform';
import { CurrentPrincipal, type Principal, Public } from '@tollgate/verifier';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../common/actor.js';
import { SessionOnly } from '../common/allowed-credentials.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { UsersService } from '../users/users.service.js';
import { LoginDto } from './dto/create-session.dto.js';
import { SessionDto } from './dto/session.response.js';
import { csrfTokenOf, readSessionCookie, sessionCookieName, sessionCookieOptions } from './session-cookie.js';
import { SessionsService } from './sessions.service.js';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Sign-in for the web console (account settings). There is no password grant at /oauth/token. */
@ApiTags('session')
@Controller('api/session')
export class SessionController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createSession',
    summary: 'Sign in with email and password (JSON); sets the session cookie and returns the CSRF token',
  })
  @ApiOkResponse({ type: SessionDto })
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
  ): Promise<SessionDto> {
    // A cross-site HTML form can post urlencoded or text/plain bodies, never JSON: no login CSRF.
    if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      throw new ProblemException(415, 'Sign in with a JSON body (Content-Type: application/json)', {
        code: 'unsupported_media_type',
      });
    }
    const userAgent = request.headers['user-agent'];
    const started = await this.sessions.login(body.email, body.password, {
      address: request.ip,
      userAgent: typeof userAgent === 'string' ? userAgent : undefined,
      previousSecret: readSessionCookie(request, this.config.sessions.secureCookie),
    });
    const secure = this.config.sessions.secureCookie;
    void reply
      .headers(NO_STORE)
      .setCookie(
        sessionCookieName(secure),
        started.secret,
        sessionCookieOptions(this.config.sessions.absoluteTtlSeconds, secure),
      );
    return this.describe(started.secret, started.session.id, started.user.id);
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
    return this.describe(
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

  private async describe(secret: string, sessionId: string, userId: string): Promise<SessionDto> {
    const [user, session] = await Promise.all([this.users.get(userId), this.sessions.find(sessionId)]);
    if (!session) throw new ProblemException(401, 'The session has ended', { code: 'session_ended' });
    return {
      user,
      csrfToken: csrfTokenOf(secret),
      expiresAt: session.expiresAt.toISOString(),
      idleTimeoutSeconds: this.config.sessions.idleTtlSeconds,
    };
  }
}
