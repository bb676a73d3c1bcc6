import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock, ProblemException } from '@tollgate/platform';
import type { GuardedRequest, Principal } from '@tollgate/verifier';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { PermissionsService } from '../roles/permissions.service.js';
import { type FailureThrottle, SharedAuthFailures } from '../throttling/shared-auth-failures.js';
import { type PasswordCheck, PasswordHasher } from '../users/password-hasher.js';
import { normaliseEmail } from '../users/user-identity.js';
import type { UserEntity } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import {
  csrfTokenMatches,
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

export interface StartedSession {
  /** The cookie value; never stored. */
  secret: string;
  session: SessionEntity;
  user: UserEntity;
}

export interface LoginContext {
  address: string;
  userAgent?: string;
  /** The secret of a session the browser already had: ended, so a planted cookie cannot survive sign-in. */
  previousSecret?: string;
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
    private readonly users: UsersService,
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

  async login(email: string, password: string, context: LoginContext): Promise<StartedSession> {
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
      const why = reservation.busy ? 'Too many sign-ins in progress' : 'Too many failed sign-ins';
      throw new ProblemException(429, `${why}; retry in ${reservation.retryAfterSeconds} s`, {
        code: 'too_many_attempts',
        headers: { 'Retry-After': String(reservation.retryAfterSeconds) },
      });
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

    const now = this.clock.now();
    const secret = newSessionSecret();
    const session: SessionEntity = {
      id: sessionIdOf(secret),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.sessions.absoluteTtlSeconds * 1000),
      address: context.address.slice(0, 64),
      userAgent: context.userAgent?.slice(0, 255) ?? null,
    };
    await this.sessions.start(session, context.previousSecret ? sessionIdOf(context.previousSecret) : undefined, now);
    await this.users.recordLogin(user, password, check.needsRehash);
    await this.audit.record({
      action: 'session.login',
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      credential: { type: 'session', id: session.id },
      address: context.address,
      details: { email: normalised },
    });
    return { secret, session, user };
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
    return {
      credentialType: 'session',
      credentialId: id,
      subject: user.id,
      userId: user.id,
      username: user.email,
      scopes: new Set(permissions.at(managementApi)),
      audience: [managementApi],
      issuedAt: session.createdAt,
      expiresAt: this.endsAt(session),
    };
  }

  async find(id: string): Promise<SessionEntity | null> {
    return this.sessions.findById(id);
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
