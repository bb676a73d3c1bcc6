import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import type { GuardedRequest } from '@tollgate/verifier/nest';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { PasskeysService } from '../factors/passkeys.service.js';
import { type SecondFactorMethod, SignInFactorsService } from '../factors/sign-in-factors.service.js';
import { SignInPolicyService } from '../factors/sign-in-policy.service.js';
import { TotpService } from '../factors/totp.service.js';
import { PermissionsService } from '../roles/permissions.service.js';
import { type FailureThrottle, SharedAuthFailures } from '../throttling/shared-auth-failures.js';
import { type PasswordCheck, PasswordHasher } from '../users/password-hasher.js';
import { normaliseEmail } from '../users/user-identity.js';
import type { UserEntity } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { PendingSignInsRepository } from './pending-sign-ins.repository.js';
import type { SessionDto } from './dto/session.response.js';
import {
  csrfTokenMatches,
  csrfTokenOf,
  newSessionSecret,
  readSessionCookie,
  type RequestWithCookies,
  sessionIdOf,
} from './session-cookie.js';
import type { SessionEntity } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** lastSeenAt is written at most this often (the idle timeout is coarse; a write per request is not worth it). */
const TOUCH_INTERVAL_MS = 60_000;
const PURGE_INTERVAL_MS = 10 * 60_000;
/** How long a sign-in waits for its second step (or a passkey for its answer). */
export const PENDING_SIGN_IN_TTL_MS = 5 * 60_000;

/**
 * What a session with the second-factor set-up still due may reach: itself, who it is, and the
 * routes that set up a factor. Everything else answers 403 (deny by default: new routes included).
 */
const SETUP_ROUTES = [/^\/api\/session(\/|$)/, /^\/api\/me$/, /^\/api\/me\/(passkeys|totp|recovery-codes)(\/|$)/];

/** How the person proved who they are, as the audit log records it (after RFC 8176 `amr`). */
export type AuthMethod = 'password' | SecondFactorMethod;

export interface StartedSession {
  /** The cookie value; never stored. */
  secret: string;
  session: SessionEntity;
  user: UserEntity;
}

/** The password was right and a second factor is due: a pending sign-in, bound to the browser by its own cookie. */
export interface PendingSecondFactor {
  /** The pending sign-in cookie's value; never stored. */
  secret: string;
  expiresAt: Date;
  methods: SecondFactorMethod[];
}

export type PasswordSignIn = { started: StartedSession } | { pending: PendingSecondFactor };

export interface LoginContext {
  address: string;
  userAgent?: string;
  /** The secret of a session the browser already had: ended, so a planted cookie cannot survive sign-in. */
  previousSecret?: string;
  /** The secret of a sign-in under way the browser already had: ended when another starts. */
  previousPendingSecret?: string;
}

/**
 * Console sessions: password sign-in (argon2id, each attempt counted before hashing, one answer
 * for every failure), a server-side session per sign-in with idle and absolute expiry, and the
 * principal the global guard uses for requests that carry the session cookie (CSRF-checked when
 * unsafe).
 */
@Injectable()
export class SessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionsService.name);
  private readonly throttle: FailureThrottle;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly pendingSignIns: PendingSignInsRepository,
    private readonly users: UsersService,
    private readonly factors: SignInFactorsService,
    private readonly policy: SignInPolicyService,
    private readonly passkeys: PasskeysService,
    private readonly totp: TotpService,
    private readonly passwords: PasswordHasher,
    private readonly permissions: PermissionsService,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    failures: SharedAuthFailures,
  ) {
    // argon2 is too expensive to run over the limit, so each attempt is counted before it runs. Per
    // email and address, 5 failures a minute; per email, 10 (a guess spread over addresses), waived
    // from addresses the person signed in from within 30 days, so that knowing an email is not
    // enough to lock its owner out where they work; per address, 20 (one address trying many
    // emails), which also holds for the owner's address: a guesser behind the same NAT looks the same.
    this.throttle = failures.throttle('console-sign-in', { perPair: 5, perId: 10, perAddress: 20, windowMs: 60_000 });
  }

  onApplicationBootstrap(): void {
    this.purgeTimer = setInterval(
      () => this.purgeExpired().catch((error) => this.logger.error(`Could not purge expired sessions: ${error}`)),
      PURGE_INTERVAL_MS,
    );
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  async login(email: string, password: string, context: LoginContext): Promise<PasswordSignIn> {
    const normalised = normaliseEmail(email);
    const reservation = await this.throttle.reserve({ id: normalised, address: context.address });
    if (reservation.blocked) {
      this.audit.recordInBackground({
        action: 'session.login',
        outcome: 'denied',
        actor: { type: 'anonymous' },
        address: context.address,
        reason: 'throttled',
        details: { email: normalised },
      });
      throw tooManyAttempts(reservation.retryAfterSeconds, reservation.busy);
    }
    let user: UserEntity | null;
    let check: PasswordCheck;
    try {
      user = await this.users.findByEmail(normalised);
      // Unknown emails and service accounts verify a dummy hash: every failure costs the same time.
      check = await this.passwords.verify(user?.kind === 'person' ? user.passwordHash : null, password);
    } catch (error) {
      await reservation.abandoned();
      throw error;
    }
    const failure = !user
      ? 'unknown email'
      : user.kind !== 'person'
        ? 'service account'
        : !check.valid
          ? 'wrong password'
          : user.disabled
            ? 'user disabled'
            : null;
    if (failure || !user) {
      await reservation.failed();
      await this.audit.record({
        action: 'session.login',
        outcome: 'failure',
        actor: { type: 'anonymous' },
        ...(user && { credential: { type: 'user', id: user.id } }),
        address: context.address,
        reason: failure ?? 'unknown email',
        details: { email: normalised },
      });
      throw new ProblemException(401, 'The email or password is incorrect', { code: 'invalid_credentials' });
    }
    await reservation.succeeded();
    // The hash is upgraded now: a second step, if one is due, no longer has the password.
    if (check.needsRehash) await this.users.recordLogin(user, password);
    const methods = await this.factors.secondFactorsOf(user.id);
    if (methods.length > 0) return { pending: await this.awaitSecondFactor(user, methods, context) };
    return { started: await this.start(user, context, ['password']) };
  }

  /** Starts a session for a person who proved who they are (`methods`), and audits the sign-in. */
  async start(user: UserEntity, context: LoginContext, methods: AuthMethod[]): Promise<StartedSession> {
    const now = this.clock.now();
    const secret = newSessionSecret();
    const session: SessionEntity = {
      id: sessionIdOf(secret),
      userId: user.id,
      createdAt: now,
      authenticatedAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.sessions.absoluteTtlSeconds * 1000),
      address: context.address.slice(0, 64),
      userAgent: context.userAgent?.slice(0, 255) ?? null,
    };
    await this.sessions.start(session, context.previousSecret ? sessionIdOf(context.previousSecret) : undefined, now);
    await this.users.recordLogin(user);
    await this.audit.record({
      action: 'session.login',
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      credential: { type: 'session', id: session.id },
      address: context.address,
      details: { email: user.email, methods },
    });
    return { secret, session, user };
  }

  /**
   * The person proves who they are again, with their password or a passkey (after
   * POST /api/session/reauthenticate/options), before changing how they sign in.
   */
  async reauthenticate(
    sessionId: string,
    userId: string,
    proof: { password?: string; passkey?: AuthenticationResponseJSON },
    address: string,
  ): Promise<void> {
    const user = await this.users.require(userId);
    const method = proof.passkey ? 'passkey' : 'password';
    let failure: string | null;
    if (proof.passkey) {
      const check = await this.passkeys.verifyAssertion(proof.passkey, {
        boundTo: sessionId,
        userId,
        requireUserVerification: true,
      });
      failure = check.ok ? null : check.reason;
    } else {
      const reservation = await this.throttle.reserve({ id: user.email, address });
      if (reservation.blocked) throw tooManyAttempts(reservation.retryAfterSeconds, reservation.busy);
      const check = await this.passwords.verify(user.passwordHash, proof.password ?? '').catch(async (error) => {
        await reservation.abandoned();
        throw error;
      });
      failure = check.valid ? null : 'wrong password';
      await (failure ? reservation.failed() : reservation.succeeded());
    }
    await this.audit.record({
      action: 'session.reauthenticated',
      outcome: failure ? 'failure' : 'success',
      actor: { type: 'user', id: userId },
      credential: { type: 'session', id: sessionId },
      address,
      ...(failure && { reason: failure }),
      details: { method },
    });
    if (failure)
      throw new ProblemException(
        401,
        method === 'password' ? 'The password is incorrect' : 'The passkey could not confirm it is you',
        { code: 'reauthentication_failed' },
      );
    await this.sessions.markAuthenticated(sessionId, this.clock.now());
  }

  private async awaitSecondFactor(
    user: UserEntity,
    methods: SecondFactorMethod[],
    context: LoginContext,
  ): Promise<PendingSecondFactor> {
    const now = this.clock.now();
    const secret = newSessionSecret();
    const expiresAt = new Date(now.getTime() + PENDING_SIGN_IN_TTL_MS);
    await this.pendingSignIns.start(
      {
        id: sessionIdOf(secret),
        purpose: 'second_factor',
        userId: user.id,
        failures: 0,
        createdAt: now,
        expiresAt,
        address: context.address.slice(0, 64),
      },
      context.previousPendingSecret ? sessionIdOf(context.previousPendingSecret) : undefined,
    );
    return { secret, expiresAt, methods };
  }

  /**
   * The guard's fallback: the principal of a request authenticated by the session cookie, or null
   * (no cookie, unknown, expired or idle session, disabled user, password changed since sign-in).
   * Unsafe methods must echo the session's CSRF token in X-CSRF-Token, else 403.
   */
  async authenticate(request: GuardedRequest): Promise<Principal | null> {
    const secret = readSessionCookie(request as RequestWithCookies, this.config.sessions.secureCookie);
    if (!secret) return null;
    const id = sessionIdOf(secret);
    const session = await this.sessions.findWithUser(id);
    if (!session) return null;
    const now = this.clock.now();
    if (this.endedReason(session, now)) {
      await this.sessions.delete(id);
      return null;
    }
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && !csrfTokenMatches(request.headers['x-csrf-token'], secret)) {
      throw new ProblemException(
        403,
        'Requests made with the session cookie must send the X-CSRF-Token header returned by POST or GET /api/session',
        { code: 'csrf_token_invalid' },
      );
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.sessions.touch(id, now);
      session.lastSeenAt = now;
    }
    const user = session.user!;
    const managementApi = this.config.managementApiIndicator;
    const permissions = await this.permissions.forUser(user.id);
    const scopes = permissions.at(managementApi);
    if (
      scopes.has(MANAGEMENT_SCOPES.admin) &&
      !SETUP_ROUTES.some((route) => route.test(request.url.split('?')[0])) &&
      (await this.policy.setupRequired(user.id, true))
    )
      throw new ProblemException(
        403,
        'The sign-in policy requires administrators to use a second factor: set up a passkey or an authenticator app (account security in the console) before anything else',
        { code: 'second_factor_setup_required' },
      );
    return {
      credentialType: 'session',
      credentialId: id,
      subject: user.id,
      userId: user.id,
      username: user.email,
      scopes: new Set(scopes),
      audience: [managementApi],
      issuedAt: session.createdAt,
      authenticatedAt: session.authenticatedAt ?? session.createdAt,
      expiresAt: this.endsAt(session),
    };
  }

  async find(id: string): Promise<SessionEntity | null> {
    return this.sessions.findById(id);
  }

  /** The session as the console reads it (POST and GET /api/session): its CSRF token, expiry, when it last authenticated. */
  async describe(secret: string, sessionId: string, userId: string): Promise<SessionDto> {
    const [user, session, setupRequired] = await Promise.all([
      this.users.get(userId),
      this.sessions.findById(sessionId),
      this.policy.setupRequired(userId),
    ]);
    if (!session) throw new ProblemException(401, 'The session has ended', { code: 'session_ended' });
    return {
      user,
      csrfToken: csrfTokenOf(secret),
      expiresAt: session.expiresAt.toISOString(),
      idleTimeoutSeconds: this.config.sessions.idleTtlSeconds,
      authenticatedAt: (session.authenticatedAt ?? session.createdAt).toISOString(),
      secondFactorSetupRequired: setupRequired,
    };
  }

  async logout(sessionId: string, actor: AuditActor, address: string): Promise<void> {
    await this.sessions.delete(sessionId);
    await this.audit.record({
      action: 'session.logout',
      outcome: 'success',
      actor,
      credential: { type: 'session', id: sessionId },
      address,
    });
  }

  /** When the session ends if it stays idle: the earlier of the idle and the absolute expiry. */
  endsAt(session: SessionEntity): Date {
    return new Date(
      Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + this.config.sessions.idleTtlSeconds * 1000),
    );
  }

  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    const idleCutoff = new Date(now.getTime() - this.config.sessions.idleTtlSeconds * 1000);
    await Promise.all([
      this.pendingSignIns.purge(now),
      this.passkeys.purgeChallenges(now),
      this.totp.purgeUnconfirmed(now),
    ]);
    return this.sessions.purge(now, idleCutoff);
  }

  private endedReason(session: SessionEntity, now: Date): string | null {
    const user = session.user!;
    if (now >= this.endsAt(session)) return 'expired';
    if (user.disabled) return 'user disabled';
    if (user.passwordChangedAt && session.createdAt < user.passwordChangedAt) return 'password changed';
    return null;
  }
}

function tooManyAttempts(retryAfterSeconds: number, busy: boolean): ProblemException {
  const why = busy ? 'Too many sign-ins in progress' : 'Too many failed sign-ins';
  return new ProblemException(429, `${why}; retry in ${retryAfterSeconds} s`, {
    code: 'too_many_attempts',
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}
