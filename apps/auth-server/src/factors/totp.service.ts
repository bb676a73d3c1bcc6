import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { Secret, TOTP } from 'otpauth';
import { KeyEncryption } from '../signing-keys/key-encryption.js';
import type { UserEntity } from '../users/users.repository.js';
import { type TotpAuthenticatorEntity, TotpAuthenticatorsRepository } from './totp-authenticators.repository.js';

/** RFC 6238 as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side of now: a phone's clock a little off, a code typed as it turned over. */
const WINDOW = 1;
/** RFC 4226 §4: a shared secret of 160 bits. */
const SECRET_BYTES = 20;
const ISSUER = 'Tollgate';

export type TotpCheck = 'accepted' | 'wrong' | 'replayed' | 'not_enabled';

export interface TotpSetup {
  /** Base32, for typing into the app. */
  secret: string;
  /** `otpauth://totp/…`, for a QR code. */
  uri: string;
}

const sealingContext = (userId: string) => `totp-secret:${userId}`;

/**
 * Authenticator apps (TOTP) as a second factor: set up (the secret shown once, sealed at rest),
 * confirmed with a first code, checked at sign-in. A code is accepted once: its time step must be
 * later than the last one accepted, so a code seen over a shoulder or replayed from a log is refused
 * even within its 30 seconds.
 */
@Injectable()
export class TotpService {
  constructor(
    private readonly authenticators: TotpAuthenticatorsRepository,
    private readonly encryption: KeyEncryption,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async status(userId: string): Promise<{ enabled: boolean; enabledAt: Date | null }> {
    const authenticator = await this.authenticators.findOf(userId);
    const enabledAt = authenticator?.confirmedAt ?? null;
    return { enabled: enabledAt !== null, enabledAt };
  }

  isEnabled(userId: string): Promise<boolean> {
    return this.authenticators.isConfirmed(userId);
  }

  /** A new secret for the user's app; nothing changes for sign-in until it is confirmed. */
  async startSetup(user: UserEntity): Promise<TotpSetup> {
    if (await this.authenticators.isConfirmed(user.id))
      throw new ConflictException('An authenticator app is set up already: turn it off first to set up another');
    const secret = new Secret({ size: SECRET_BYTES });
    await this.authenticators.savePending({
      userId: user.id,
      sealedSecret: this.encryption.seal(secret.base32, sealingContext(user.id)),
      confirmedAt: null,
      lastUsedStep: null,
      createdAt: this.clock.now(),
    });
    return { secret: secret.base32, uri: totpOf(secret, user.email).toString() };
  }

  /** The first code from the app turns it on; the code is used up like any other. */
  async confirm(userId: string, code: string): Promise<Date> {
    const pending = await this.authenticators.findOf(userId);
    if (!pending || pending.confirmedAt)
      throw new ProblemException(409, 'There is no authenticator app being set up: start again', {
        code: 'totp_setup_missing',
      });
    const step = this.stepOf(pending, code);
    const now = this.clock.now();
    if (step === null || !(await this.authenticators.acceptStep(userId, step, now)))
      throw new ProblemException(400, 'The code does not match: check the app shows Tollgate and try the next code', {
        code: 'totp_code_invalid',
      });
    return now;
  }

  async disable(userId: string): Promise<boolean> {
    return this.authenticators.delete(userId);
  }

  /** Checks a code at sign-in (or another confirmation) and uses it up. */
  async check(userId: string, code: string): Promise<TotpCheck> {
    const authenticator = await this.authenticators.findOf(userId);
    if (!authenticator?.confirmedAt) return 'not_enabled';
    const step = this.stepOf(authenticator, code);
    if (step === null) return 'wrong';
    return (await this.authenticators.acceptStep(userId, step)) ? 'accepted' : 'replayed';
  }

  /** Forgets set-ups never confirmed within a day. */
  async purgeUnconfirmed(now: Date): Promise<number> {
    return this.authenticators.purgeUnconfirmed(new Date(now.getTime() - 86_400_000));
  }

  /** The time step the code belongs to (now or one step either side), or null. */
  private stepOf(authenticator: TotpAuthenticatorEntity, code: string): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const secret = this.encryption.open(authenticator.sealedSecret, sealingContext(authenticator.userId));
    const totp = totpOf(Secret.fromBase32(secret), '');
    const timestamp = this.clock.now().getTime();
    const delta = totp.validate({ token: code, timestamp, window: WINDOW });
    return delta === null ? null : totp.counter({ timestamp }) + delta;
  }
}

function totpOf(secret: Secret, email: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: email, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret });
}
