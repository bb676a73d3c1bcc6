import { ConflictException, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { createLocalJWKSet, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { type Transaction, UnitOfWork } from '../database/unit-of-work.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { KeyEncryption } from './key-encryption.js';
import { generateSigningKey } from './signing-key-material.js';
import type { SigningAlg, SigningKeyEntity, SigningKeyState } from './signing-key.entity.js';

export type { SigningAlg } from './signing-key.entity.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

/** A key that stopped signing stays published this long: as long as any access token lives. */
export const PREVIOUS_KEY_GRACE_MS = MAX_ACCESS_TOKEN_LIFETIME_SECONDS * 1000;
/**
 * Key states are also re-read on every wake-up of the revocation feed (a retirement at another
 * instance); this periodic reload covers a lost wake-up within the feed's staleness budget (10 s).
 */
const RELOAD_INTERVAL_MS = 10_000;
/**
 * How long the JWKS may be cached (its Cache-Control max-age). A key must have been published this
 * long before it signs, or a verifier holding an older copy refuses the new tokens: jose refetches
 * on an unknown `kid` only once per cooldown, and an HTTP cache may serve the old set until max-age.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlg;
  key: CryptoKey | Uint8Array;
}

/** After a rotation: the key now signing, the one that stopped (still published, or retired), and the new next key. */
export interface RotationResult {
  current: string;
  /** A scheduled rotation: the old key stays published until its tokens expire. */
  previous?: string;
  /** An immediate rotation: the old key is retired at once. */
  retired?: string;
  next: string;
}

export interface RetirementResult {
  retired: string;
  /** The state the key had: `current` (then the next key was promoted), `next` or `previous`. */
  stateBefore: Exclude<SigningKeyState, 'retired'>;
  current: string;
  next: string;
}

/** Ensures a current and a next key exist (first boot, or after a SIGNING_ALG change). Runs under the migration lock. */
export async function ensureSigningKeys(
  keys: SigningKeysRepository,
  encryption: KeyEncryption,
  alg: SigningAlg,
  now: Date,
): Promise<void> {
  if (!(await keys.existsInState('current')))
    await keys.insert(await generateSigningKey(alg, 'current', encryption, now));
  if (!(await keys.existsInState('next'))) await keys.insert(await generateSigningKey(alg, 'next', encryption, now));
}

const raced = () => new ConflictException('The signing keys changed at the same time; reload and try again');

async function currentAndNext(
  keys: SigningKeysRepository,
  tx: Transaction,
): Promise<{ current: SigningKeyEntity; next: SigningKeyEntity }> {
  const [current, next] = await Promise.all([keys.findInState('current', tx), keys.findInState('next', tx)]);
  if (!current || !next) throw new ConflictException('Signing keys are being initialised; try again');
  return { current, next };
}

/**
 * Holds the key that signs tokens and the public keys that verify them. Rotation moves
 * next → current → previous, so the JWKS announces a key before it signs and keeps it after it
 * stops, until every token it signed has expired. A compromised key is retired instead: it leaves
 * the JWKS at once and the revocation feed tells every verifier to refuse its tokens. Instances
 * reload the key states when the feed wakes them and periodically.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeysService.name);
  private active: ActiveSigningKey;
  private published: JWK[] = [];
  private localKeySet: JWTVerifyGetKey;
  private timer?: NodeJS.Timeout;
  private stopWaking?: () => void;
  private lastReload: Promise<void> = Promise.resolve();
  private queuedReload?: Promise<void>;

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly encryption: KeyEncryption,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly feed: RevocationFeedService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    const reloadInBackground = () =>
      void this.reload().catch((error) => this.logger.error(`Reloading signing keys failed: ${error}`));
    this.timer = setInterval(reloadInBackground, RELOAD_INTERVAL_MS);
    this.timer.unref();
    // A retirement at another instance wakes the feed here (Redis); the guard must stop trusting the key as fast.
    this.stopWaking = this.feed.onWake(reloadInBackground);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stopWaking?.();
  }

  /** The key new tokens are signed with. */
  signingKey(): ActiveSigningKey {
    return this.active;
  }

  /** The public JWK set (RFC 7517) served at jwks_uri: next, current and previous keys, public members only. */
  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /** Verification keys for tokens verified inside this server (the management API, introspection). */
  readonly keySet: JWTVerifyGetKey = (header, token) => this.localKeySet(header, token);

  async list(): Promise<SigningKeyEntity[]> {
    return this.keys.list();
  }

  /**
   * next → current, a new next, and current → previous; or, `immediately` (the current key is
   * compromised), current → retired. Refuses (409) if another change won the race, and (409,
   * Retry-After) a scheduled rotation while the next key was published less than
   * JWKS_MAX_AGE_SECONDS ago.
   */
  async rotate(options: { immediately?: boolean } = {}): Promise<RotationResult> {
    const now = this.clock.now();
    const fresh = await generateSigningKey(this.config.signingAlg, 'next', this.encryption, now);
    const result = await this.unitOfWork.run(async (tx) => {
      const { current, next } = await currentAndNext(this.keys, tx);
      const publishedSeconds = Math.floor((now.getTime() - next.createdAt.getTime()) / 1000);
      if (!options.immediately && publishedSeconds < JWKS_MAX_AGE_SECONDS) {
        const retryAfter = JWKS_MAX_AGE_SECONDS - publishedSeconds;
        throw new ProblemException(
          409,
          `The next key was published ${publishedSeconds} s ago, and verifiers may cache the key set for ${JWKS_MAX_AGE_SECONDS} s: rotating now could make them refuse new tokens. Rotate in ${retryAfter} s, or with "immediately": true if the current key is compromised.`,
          { code: 'next_key_not_yet_known', headers: { 'Retry-After': String(retryAfter) } },
        );
      }
      await this.promoteNext(tx, current, next, fresh, now, options.immediately ? 'retired' : 'previous');
      return options.immediately
        ? { current: next.kid, retired: current.kid, next: fresh.kid }
        : { current: next.kid, previous: current.kid, next: fresh.kid };
    });
    await this.afterChange(result.retired);
    return result;
  }

  /**
   * Retires one key at once: it leaves the JWKS and every verifier refuses the tokens it signed.
   * The current key: the next key signs from now on (an immediate rotation) and a new next key is
   * created. The next key: a new next key is created, so a rotation always has one to promote. A
   * previous key: only retired. 404 for an unknown kid, 409 for a retired one.
   */
  async retire(kid: string): Promise<RetirementResult> {
    const now = this.clock.now();
    const fresh = await generateSigningKey(this.config.signingAlg, 'next', this.encryption, now);
    const result = await this.unitOfWork.run(async (tx) => {
      const key = await this.keys.findByKid(kid, tx);
      if (!key) throw new ProblemException(404, `No signing key has the kid ${kid}`, { code: 'signing_key_not_found' });
      if (key.state === 'retired')
        throw new ProblemException(409, `The signing key ${kid} is already retired`, { code: 'signing_key_retired' });
      const stateBefore = key.state;
      if (stateBefore === 'current') {
        const { current, next } = await currentAndNext(this.keys, tx);
        if (current.kid !== kid) throw raced();
        await this.promoteNext(tx, current, next, fresh, now, 'retired');
      } else {
        if (!(await this.keys.transition(kid, stateBefore, { state: 'retired', retiredAt: now }, tx))) throw raced();
        if (stateBefore === 'next') await this.keys.insert(fresh, tx);
      }
      const { current, next } = await currentAndNext(this.keys, tx);
      return { retired: kid, stateBefore, current: current.kid, next: next.kid };
    });
    await this.afterChange(kid);
    return result;
  }

  /**
   * Re-reads key states (retiring previous keys past their grace period) and re-imports the signing
   * key. Reloads run one at a time, and calls made while one runs share the next one, so the last
   * state read is the one kept.
   */
  reload(): Promise<void> {
    this.queuedReload ??= this.lastReload
      .catch(() => undefined)
      .then(() => {
        this.queuedReload = undefined;
        return this.load();
      });
    this.lastReload = this.queuedReload;
    return this.queuedReload;
  }

  /** next → current, current → `demotedTo`, and `fresh` as the new next; 409 if another change won the race. */
  private async promoteNext(
    tx: Transaction,
    current: SigningKeyEntity,
    next: SigningKeyEntity,
    fresh: SigningKeyEntity,
    now: Date,
    demotedTo: 'previous' | 'retired',
  ): Promise<void> {
    const demoted = await this.keys.transition(
      current.kid,
      'current',
      { state: demotedTo, deactivatedAt: now, ...(demotedTo === 'retired' && { retiredAt: now }) },
      tx,
    );
    const promoted = await this.keys.transition(next.kid, 'next', { state: 'current', activatedAt: now }, tx);
    if (!demoted || !promoted) throw raced();
    await this.keys.insert(fresh, tx);
  }

  /** This instance stops trusting a retired key first, then the feed tells every verifier and instance. */
  private async afterChange(retiredKid: string | undefined): Promise<void> {
    await this.reload();
    if (retiredKid) await this.feed.publish({ type: 'signing_key.retired', kid: retiredKid });
  }

  private async load(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.keys.listLive();
    const expired = rows.filter(
      (row) =>
        row.state === 'previous' &&
        row.deactivatedAt &&
        now.getTime() - row.deactivatedAt.getTime() > PREVIOUS_KEY_GRACE_MS,
    );
    for (const row of expired) {
      if (await this.keys.transition(row.kid, 'previous', { state: 'retired', retiredAt: now }))
        await this.feed.publish({ type: 'signing_key.retired', kid: row.kid });
    }

    const live = rows.filter((row) => !expired.includes(row));
    const current = live.find((row) => row.state === 'current');
    if (!current) throw new Error('No current signing key: the database was not initialised');
    if (this.active?.kid !== current.kid) {
      let privateJwk: JWK;
      try {
        privateJwk = JSON.parse(this.encryption.open(current.encryptedPrivateKey, current.kid)) as JWK;
      } catch {
        throw new Error('KEY_ENCRYPTION_SECRET does not decrypt the stored signing keys (was it changed?)');
      }
      this.active = {
        kid: current.kid,
        alg: current.alg,
        key: (await importJWK(privateJwk, current.alg)) as CryptoKey,
      };
    }
    this.published = live.map((row) => row.publicJwk);
    this.localKeySet = createLocalJWKSet({ keys: this.published });
  }
}
