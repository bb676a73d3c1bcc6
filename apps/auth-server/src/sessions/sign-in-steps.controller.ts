import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { ProblemException, SESSION_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal, Public } from '@tollgate/verifier/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionOnly } from '../common/allowed-credentials.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { PasskeyRequestOptionsDto } from '../factors/dto/passkey-options.response.js';
import { PasskeysService } from '../factors/passkeys.service.js';
import { PasskeySignInDto, ReauthenticateDto, SecondFactorDto } from './dto/second-factor.dto.js';
import { SessionDto } from './dto/session.response.js';
import { loginContextOf, NO_STORE, requireJsonBody, setSessionCookie } from './session.controller.js';
import {
  pendingSignInCookieName,
  pendingSignInCookieOptions,
  readPendingSignInCookie,
  readSessionCookie,
} from './session-cookie.js';
import { PENDING_SIGN_IN_TTL_MS, SessionsService } from './sessions.service.js';
import { SignInStepsService } from './sign-in-steps.service.js';

const NO_SIGN_IN = 'No sign-in under way in this browser (expired, ended, or its cookie is missing): start again';

/**
 * Console sign-in beyond the password: a passkey alone, the second step a password sign-in may
 * leave pending, and re-authentication before a change of sign-in factors.
 */
@ApiTags('session')
@Controller('api/session')
export class SignInStepsController {
  constructor(
    private readonly steps: SignInStepsService,
    private readonly sessions: SessionsService,
    private readonly passkeys: PasskeysService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
  ) {}

  @Public()
  @Post('passkey/options')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createPasskeySignInOptions',
    summary:
      'Start a passkey sign-in: options for navigator.credentials.get() (any passkey of this site), bound to this browser by a cookie',
  })
  @ApiOkResponse({ type: PasskeyRequestOptionsDto })
  async passkeyOptions(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const challenge = await this.steps.passkeyChallenge(loginContextOf(request, this.config));
    const secure = this.config.sessions.secureCookie;
    void reply
      .headers(NO_STORE)
      .setCookie(
        pendingSignInCookieName(secure),
        challenge.secret,
        pendingSignInCookieOptions(PENDING_SIGN_IN_TTL_MS / 1000, secure),
      );
    return challenge.options;
  }

  @Public()
  @Post('passkey')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createSessionWithPasskey',
    summary: 'Sign in with a passkey (it verified you: no password or second step); sets the session cookie',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiBadRequestResponse({ description: 'Not a passkey answer (problem+json)' })
  @ApiUnauthorizedResponse({
    description: `${NO_SIGN_IN} (sign_in_expired), or the passkey signs no one in (passkey_refused)`,
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a JSON body (problem+json)' })
  async passkey(
    @Body() body: PasskeySignInDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    requireJsonBody(request);
    const started = await this.steps.signInWithPasskey(
      readPendingSignInCookie(request, this.config.sessions.secureCookie),
      body.passkey as AuthenticationResponseJSON,
      loginContextOf(request, this.config),
    );
    setSessionCookie(started, request, reply, this.config);
    return this.sessions.describe(started.secret, started.session.id, started.user.id);
  }

  @Public()
  @Post('second-factor/options')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createSecondFactorPasskeyOptions',
    summary: 'For the second step with a passkey: options for navigator.credentials.get() (your passkeys)',
  })
  @ApiOkResponse({ type: PasskeyRequestOptionsDto })
  @ApiUnauthorizedResponse({ description: `${NO_SIGN_IN} (sign_in_expired)` })
  @ApiConflictResponse({ description: 'You have no passkey (no_passkey)' })
  async secondFactorOptions(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    void reply.headers(NO_STORE);
    return this.steps.secondFactorChallenge(readPendingSignInCookie(request, this.config.sessions.secureCookie));
  }

  @Public()
  @Post('second-factor')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'completeSecondFactor',
    summary:
      'The second step of a password sign-in: a code from your authenticator app, a recovery code, or a passkey; sets the session cookie',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiBadRequestResponse({
    description: 'Not exactly one of code, recoveryCode, passkey, or a malformed one (problem+json)',
  })
  @ApiUnauthorizedResponse({
    description: `Wrong or used (second_factor_invalid, with attempts_left), or ${NO_SIGN_IN} (sign_in_expired)`,
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a JSON body (problem+json)' })
  @ApiTooManyRequestsResponse({
    description: 'Too many wrong answers for this person or from this address (Retry-After)',
  })
  async secondFactor(
    @Body() body: SecondFactorDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    requireJsonBody(request);
    const started = await this.steps.completeSecondFactor(
      readPendingSignInCookie(request, this.config.sessions.secureCookie),
      { ...body, passkey: body.passkey as AuthenticationResponseJSON | undefined },
      loginContextOf(request, this.config),
    );
    setSessionCookie(started, request, reply, this.config);
    return this.sessions.describe(started.secret, started.session.id, started.user.id);
  }

  @Post('reauthenticate/options')
  @HttpCode(200)
  @SessionOnly()
  @ApiCookieAuth(SESSION_SCHEME)
  @ApiOperation({
    operationId: 'createReauthenticationOptions',
    summary: 'To confirm it is you with a passkey: options for navigator.credentials.get() (your passkeys)',
  })
  @ApiOkResponse({ type: PasskeyRequestOptionsDto })
  @ApiUnauthorizedResponse({ description: 'No valid session' })
  @ApiForbiddenResponse({
    description: 'Called with a bearer credential instead of the session cookie, or without X-CSRF-Token',
  })
  @ApiConflictResponse({ description: 'You have no passkey (no_passkey)' })
  reauthenticationOptions(@CurrentPrincipal() principal: Principal): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.passkeys.authenticationOptions(principal.credentialId, principal.userId!, 'required');
  }

  @Post('reauthenticate')
  @HttpCode(200)
  @SessionOnly()
  @ApiCookieAuth(SESSION_SCHEME)
  @ApiOperation({
    operationId: 'reauthenticate',
    summary:
      'Confirm it is you (password or passkey) before changing how you sign in: the session counts as a recent sign-in for 10 minutes',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiBadRequestResponse({ description: 'Not exactly one of password or passkey (problem+json)' })
  @ApiUnauthorizedResponse({
    description: 'No valid session, or the password or passkey is wrong (reauthentication_failed)',
  })
  @ApiForbiddenResponse({
    description: 'Called with a bearer credential instead of the session cookie, or without X-CSRF-Token',
  })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords (Retry-After)' })
  async reauthenticate(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ReauthenticateDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    if ((body.password === undefined) === (body.passkey === undefined))
      throw new ProblemException(400, 'Send exactly one of password or passkey');
    await this.sessions.reauthenticate(
      principal.credentialId,
      principal.userId!,
      { password: body.password, passkey: body.passkey as AuthenticationResponseJSON | undefined },
      request.ip,
    );
    void reply.headers(NO_STORE);
    return this.sessions.describe(
      readSessionCookie(request, this.config.sessions.secureCookie)!,
      principal.credentialId,
      principal.userId!,
    );
  }
}
